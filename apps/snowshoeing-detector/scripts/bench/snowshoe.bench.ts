// npm run bench:snowshoe [-- --measure N --rounds N --windows 10000,100000,1000000 --campaigns N --one-off SHARE]
// The detector's cost per message on one core, with the 24-hour window holding 10,000 to
// 1,000,000 messages: the window is filled first (untimed), then a further stream is timed. By
// default the traffic mix is fixed (500 campaigns, 1% one-off content) and only the volume
// grows; --campaigns 0 makes the campaigns grow with the window too (one per 200 messages).
// The whole detector runs (fingerprint, cluster index, windows, decision) on the in-memory
// store, in one thread. Figures, printed, never asserted.
import type { TenantConfigEvent } from '@sms/contracts';
import { StreamDetector, type StreamMessage } from '../../src/detection/stream-detector.js';
import { generateTraffic, phone, prng, spin, type Random } from '../eval/traffic.js';
import { option } from '../options.js';
import { loadSnowshoeRules, loadTextNormalisation } from '../../src/rules/rule-data.js';

const measured = Number(option('measure', '200000'));
const rounds = Number(option('rounds', '5'));
const oneOffShare = Number(option('one-off', '0.01'));
// Campaigns: a fixed number, or (0) one per 200 messages of the window, so that clusters grow with it too.
const campaignCount = Number(option('campaigns', '500'));
const windowSizes = option('windows', '10000,100000,1000000').split(',').map(Number);
const DAY = 86_400_000;

const rules = loadSnowshoeRules();
const text = loadTextNormalisation();
// Tenants of the evaluation's traffic (pools, messaging services), reused as senders here.
const tenants: TenantConfigEvent[] = generateTraffic(1, 0.01).tenants.filter((t) => !t.tenantId.startsWith('promo-'));

const WORDS =
  'appointment reminder clinic dental visit check cleaning whitening offer special patients family care health smile team book call online schedule office doctor today week month new save discount members flu shot vaccine eye exam glasses skin physio class'.split(
    ' ',
  );
const NAMES = ['Sarah', 'John', 'Maria', 'Ahmed', 'Li', 'Olga', 'Kwame', 'Priya'];

/** A random word of letters only (digits would be masked). */
function letters(r: Random): string {
  let w = '';
  for (let i = 0; i < 7; i++) w += String.fromCharCode(97 + Math.floor(r() * 26));
  return w;
}

/** A campaign: a template with personal fields and a few spun words, sent by one tenant. */
function campaigns(r: Random, count: number): { tenant: TenantConfigEvent; template: string }[] {
  return Array.from({ length: count }, () => {
    // Common words and a few of the campaign's own, one of them spun.
    const words = Array.from({ length: 14 }, (_, i) => (i % 3 === 0 ? letters(r) : WORDS[Math.floor(r() * WORDS.length)]!));
    words.splice(3, 0, `{${letters(r)}|${letters(r)}}`);
    return { tenant: tenants[Math.floor(r() * tenants.length)]!, template: `{Hi|Hello} {name}, ${words.join(' ')} on {date} at {time}. Reply STOP to opt out.` };
  });
}

function message(r: Random, list: ReturnType<typeof campaigns>, n: number, at: number): StreamMessage {
  // Some messages are one-off content (a new cluster with its own bands): the index grows with the window.
  const oneOff = r() < oneOffShare;
  const c = list[Math.floor(r() * list.length)]!;
  const body = oneOff
    ? `${c.tenant.name}: ${Array.from({ length: 10 }, () => letters(r)).join(' ')}. Reply STOP to opt out.`
    : spin(r, c.template)
        .replace('{name}', NAMES[n % NAMES.length]!)
        .replace('{date}', `Dec ${1 + (n % 28)}`)
        .replace('{time}', `${8 + (n % 9)}:30`);
  const sender = c.tenant.senders[n % c.tenant.senders.length]!;
  const ms = sender.messagingServiceSid;
  return {
    id: `m${n}`,
    tenant: c.tenant.tenantId,
    campaign: c.tenant.campaigns[0]!.id,
    ...(ms ? { messagingServiceSid: ms } : { from: sender.number }),
    to: phone('212', 1_000_000 + (n % 8_000_000)),
    body,
    at,
  };
}

console.log(`snowshoeing detector benchmark: ${measured} messages timed per window size in ${rounds} rounds, one thread, rule data ${rules.version}`);
console.log(`traffic: ${campaignCount > 0 ? `${campaignCount} campaigns` : 'one campaign per 200 messages of the window'}, ${oneOffShare * 100}% one-off content (a new cluster each)`);
console.log('CPU time per message: the best and the median round (other processes on the machine only ever make a round slower)\n');
console.log('| messages in the 24 h window | µs per message, best round | median round | messages/s per core, best round | heap MB | clusters | templates | LSH bands |');
console.log('|---|---|---|---|---|---|---|---|');
// Warm the JIT up first, so that the first window size is not charged for compilation.
{
  const r = prng(7);
  const list = campaigns(r, 100);
  const warm = new StreamDetector(rules, text, new Map(tenants.map((t) => [t.tenantId, t])));
  let at = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < 100_000; i++) warm.process(message(r, list, i, (at += 500)));
}

for (const size of windowSizes) {
  const r = prng(42);
  const list = campaigns(r, campaignCount > 0 ? campaignCount : Math.max(50, Math.round(size / 200)));
  const detector = new StreamDetector(rules, text, new Map(tenants.map((t) => [t.tenantId, t])));
  const step = DAY / size;
  let at = Date.parse('2026-11-02T00:00:00Z');
  let n = 0;
  for (let i = 0; i < size; i++) detector.process(message(r, list, n++, (at += step)));
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const stream = Array.from({ length: Math.round(measured / rounds) }, () => message(r, list, n++, (at += step)));
    await new Promise((resolve) => setImmediate(resolve));
    const cpu0 = process.cpuUsage();
    for (const m of stream) detector.process(m);
    const cpu = process.cpuUsage(cpu0);
    await new Promise((resolve) => setImmediate(resolve));
    results.push((cpu.user + cpu.system) / stream.length);
  }
  const sorted = [...results].sort((a, b) => a - b);
  const best = sorted[0]!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const sizes = detector.store.sizes();
  console.log(
    `| ${size.toLocaleString('en-US')} | ${best.toFixed(2)} | ${median.toFixed(2)} | ${Math.round(1e6 / best).toLocaleString('en-US')} | ${Math.round(process.memoryUsage().heapUsed / 1e6)} | ${sizes['clusters']} | ${sizes['templates']} | ${sizes['bands']} |`,
  );
}
