// npm run snowshoe -- [--tenants TENANTS.json] [FILE.jsonl]
// Runs the detector over a time-ordered stream of {id, tenant, campaign, from, to, body, at}
// (standard input without a file) and prints one line per message:
// {id, decision, clauses, cluster, distinctSenders}. With --tenants (a JSON array of tenants as
// on tenant.config.v1) senders are checked against the registered pools; without it every
// sender counts as registered.
import { TenantConfigEventSchema, type TenantConfigEvent } from '@sms/contracts';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { StreamDetector, type StreamMessage } from '../../src/detection/stream-detector.js';
import { loadSnowshoeRules, loadTextNormalisation } from '../../src/rules/rule-data.js';

const StreamMessageSchema = z.object({
  id: z.string().min(1),
  tenant: z.string().min(1),
  campaign: z.string().min(1),
  from: z.string().min(1).optional(),
  messagingServiceSid: z.string().min(1).optional(),
  to: z.string().min(1),
  body: z.string(),
  at: z.union([z.string().min(1), z.number()]),
  brand: z.string().min(1).optional(),
});

const args = process.argv.slice(2);
let tenantsFile: string | undefined;
let input: string | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tenants') tenantsFile = args[++i];
  else input = args[i];
}

const tenants = new Map<string, TenantConfigEvent>();
if (tenantsFile) {
  for (const t of z.array(TenantConfigEventSchema).parse(JSON.parse(readFileSync(tenantsFile, 'utf8')))) tenants.set(t.tenantId, t);
}
// A reader that stops early (| head) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const detector = new StreamDetector(loadSnowshoeRules(), loadTextNormalisation(), tenants);
const lines = createInterface({ input: input ? createReadStream(input) : process.stdin, crlfDelay: Infinity });
let lineNo = 0;
let failed = 0;
for await (const line of lines) {
  lineNo++;
  if (line.trim() === '') continue;
  let message: StreamMessage;
  try {
    message = StreamMessageSchema.parse(JSON.parse(line));
  } catch (error) {
    failed++;
    process.stderr.write(`line ${lineNo}: ${(error as Error).message.replace(/\s+/g, ' ').slice(0, 300)}\n`);
    continue;
  }
  const d = detector.process(message);
  process.stdout.write(`${JSON.stringify({ id: message.id, decision: d.verdict.decision, clauses: d.verdict.clauses, cluster: d.clusterId, distinctSenders: d.distinctSenders })}\n`);
}
if (failed > 0) process.exitCode = 1;
