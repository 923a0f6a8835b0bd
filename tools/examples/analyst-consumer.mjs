// An example consumer of the analysts' stream: reads audit.analyst.v1 from the beginning and
// prints, every few seconds, blocks by clause and campaign, and opt-outs per brand.
//   node tools/examples/analyst-consumer.mjs [brokers]
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'analyst-example', brokers, logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: `analyst-example-${process.pid}` });
const seen = new Set();
const blocks = new Map();
const optOuts = new Map();
const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

await consumer.connect();
await consumer.subscribe({ topic: 'audit.analyst.v1', fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value.toString());
    if (event.schema !== 'audit.analyst' || event.version !== 1 || seen.has(event.eventId)) return;
    seen.add(event.eventId);
    if (event.kind === 'decision' && event.decision === 'block') for (const clause of event.clauses) count(blocks, `${clause} / ${event.campaign}`);
    if (event.kind === 'consent' && event.consentChange === 'opted_out') count(optOuts, `${event.tenantId} / ${event.brand ?? 'any brand'}`);
  },
});
setInterval(() => {
  console.log(`\n${seen.size} events`);
  console.table(Object.fromEntries([...blocks].sort((a, b) => b[1] - a[1]).slice(0, 15)));
  console.table(Object.fromEntries(optOuts));
}, 5_000).unref();
process.on('SIGINT', () => void consumer.disconnect().then(() => process.exit(0)));
