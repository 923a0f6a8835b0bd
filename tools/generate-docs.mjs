// Writes the documents that are derived from the contracts library, so they can never drift:
//   docs/api/openapi.json             the HTTP interfaces (OpenAPI 3.1)
//   docs/topics/<topic>.schema.json   the JSON Schema of each topic's values
//   docs/topics/README.md             the topic catalogue
// `--check` compares instead of writing and fails when a committed document is stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack/profiles.mjs';

const { z } = await import('zod');
const contracts = await import(join(ROOT, 'libs', 'contracts', 'dist', 'index.js'));
const check = process.argv.includes('--check');

const files = new Map();
const openapi = contracts.buildOpenApi({ intake: 'http://127.0.0.1:3000', consent: 'http://127.0.0.1:3001', snowshoe: 'http://127.0.0.1:3003', audit: 'http://127.0.0.1:3005' });
files.set('docs/api/openapi.json', `${JSON.stringify(openapi, null, 2)}\n`);

const rows = [];
for (const topic of contracts.TOPIC_LIST) {
  const schema = z.toJSONSchema(topic.schema, { io: 'output', unrepresentable: 'any' });
  const document = { $id: `urn:sms-gateway:topic:${topic.name}`, title: topic.name, description: topic.description, ...schema };
  files.set(`docs/topics/${topic.name}.schema.json`, `${JSON.stringify(document, null, 2)}\n`);
  rows.push(
    `| \`${topic.name}\` | ${topic.partitions} | ${topic.cleanupPolicy}${topic.retentionMs ? `, ${Math.round(topic.retentionMs / 86_400_000)} d` : ''} | ${topic.key} | ${topic.producers.join(', ')} | ${topic.consumers.join(', ')} | [schema](${topic.name}.schema.json) | ${topic.description} |`,
  );
}
files.set(
  'docs/topics/README.md',
  `# Topic catalogue

Generated from \`libs/contracts/src/topics.ts\` by \`npm run docs\`; do not edit by hand.
Every consumer validates each record against its topic's schema before any handler runs;
a record that fails goes to \`sms.dead-letter.v1\` with the error and its original bytes.
Trace context (W3C \`traceparent\`) travels in record headers.

| topic | partitions | clean-up | key | producers | consumers | value | what |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);

const clauses = Object.entries(contracts.CLAUSES).map(([id, summary]) => `| \`${id}\` | ${summary} |`);
files.set(
  'docs/policy.md',
  `# Policy clauses

Generated from \`libs/contracts/src/policy/clauses.ts\` by \`npm run docs\`. Every decision of
the pipeline cites one or more of these ids; search the code for an id to find every rule
that enforces it. The policy text itself (Twilio's Acceptable Use Policy and Messaging
Policy, as summarised for this platform) remains the authority.

| id | the rule, in short |
|---|---|
${clauses.join('\n')}
`,
);

const stale = [];
for (const [path, content] of files) {
  const target = join(ROOT, path);
  const current = existsSync(target) ? readFileSync(target, 'utf8') : null;
  if (current === content) continue;
  if (check) stale.push(path);
  else {
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, content);
  }
}
// Schemas of topics that left the catalogue.
for (const name of existsSync(join(ROOT, 'docs/topics')) ? readdirSync(join(ROOT, 'docs/topics')) : []) {
  const path = `docs/topics/${name}`;
  if (name.endsWith('.schema.json') && !files.has(path)) {
    if (check) stale.push(`${path} (no longer in the catalogue)`);
    else rmSync(join(ROOT, path));
  }
}
if (stale.length > 0) {
  console.error(`generated documents are stale; run \`npm run docs\` and commit:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(check ? 'generated documents are up to date' : `wrote ${files.size} documents`);
