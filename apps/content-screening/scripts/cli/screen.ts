// npm run screen -- [FILE.jsonl] [--settings '{"publicUrlShortener":"block"}']
// Screens one message per input line (standard input without a file) with the service's own
// rules and writes one JSON line per input line, in order. Lines that are not valid JSON, or
// not valid input, get an error line with their line number; the run goes on. Both stages run,
// as in the service; --rules-and-linear leaves the text encoder out.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { compileRules } from '../../src/rules/compile.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { loadSecondStage } from '../../src/rules/model/second-opinion.js';
import { ScreeningSettingsSchema, screenLine } from './screen-line.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run screen -- [FILE.jsonl] [--settings JSON] [--rules-and-linear]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let file: string | undefined;
let settingsText = '{}';
let encoder = true;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--settings') settingsText = args[++i] ?? usage('--settings needs a JSON object');
  else if (arg.startsWith('--settings=')) settingsText = arg.slice('--settings='.length);
  else if (arg === '--rules-and-linear') encoder = false;
  else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
  else if (file === undefined) file = arg;
  else usage('only one input file');
}
let settingsValue: unknown;
try {
  settingsValue = JSON.parse(settingsText);
} catch {
  usage('--settings is not valid JSON');
}
const settings = ScreeningSettingsSchema.safeParse(settingsValue);
if (!settings.success) usage(`--settings: ${settings.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);

const rules = compileRules(loadRuleData());
const second = encoder ? await loadSecondStage() : undefined;
const input = file === undefined ? process.stdin : createReadStream(file, 'utf8');
input.on('error', (error: Error) => {
  process.stderr.write(`cannot read ${file ?? 'standard input'}: ${error.message}\n`);
  process.exit(1);
});
const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });

let buffered: string[] = [];
const flush = async (): Promise<void> => {
  if (buffered.length === 0) return;
  const chunk = `${buffered.join('\n')}\n`;
  buffered = [];
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
};

let lineNumber = 0;
for await (const line of lines) {
  lineNumber++;
  if (line.trim() === '') continue;
  buffered.push(JSON.stringify(await screenLine(line, lineNumber, rules, settings.data, second)));
  if (buffered.length >= 500) await flush();
}
await flush();
