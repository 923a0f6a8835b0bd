// `npm start`: builds, starts Kafka, migrates, starts the Twilio simulator and the six
// services, seeds the demo tenant, and streams readable logs until Ctrl-C.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { seedDemo } from './stack/demo.mjs';
import { createTopics, startBroker, stopBroker } from './stack/kafka.mjs';
import { getProfile, ROOT, serviceUrl } from './stack/profiles.mjs';
import { startZipkin, stopZipkin } from './stack/zipkin.mjs';
import { migrateAll, STACK, startProcesses, stopProcesses, waitHealthy } from './stack/services.mjs';

const profile = getProfile('local');
const started = performance.now();
const colours = [36, 32, 33, 35, 34, 31, 90];
const colour = (name) => `\x1b[${colours[STACK.indexOf(name) % colours.length]}m${name.padEnd(20)}\x1b[0m`;
const say = (message) => console.log(`\x1b[1m${'gateway'.padEnd(20)}\x1b[0m ${message}`);

function printLine(name, line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    console.log(`${colour(name)} ${line}`);
    return;
  }
  const { time, level, service: _service, message, context, traceId, spanId: _spanId, ...rest } = entry;
  const when = typeof time === 'string' ? time.slice(11, 23) : '';
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const lvl = level === 'error' || level === 'fatal' ? '\x1b[31mERROR\x1b[0m' : level === 'warn' ? '\x1b[33mWARN \x1b[0m' : (level ?? 'log').toUpperCase().padEnd(5);
  console.log(`${colour(name)} ${when} ${lvl} ${context ? `[${context}] ` : ''}${message ?? ''}${extra}${traceId ? ` trace=${traceId}` : ''}`);
}

let handles = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  await stopProcesses(handles);
  await stopBroker('local');
  await stopZipkin('local');
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs')], { stdio: 'inherit' });
  await startBroker('local', say);
  await startZipkin('local', say);
  await createTopics('local', say);
  await migrateAll(profile, say);
  handles = startProcesses(profile, STACK, { onLine: printLine });
  await waitHealthy(handles);
  const { demo, file } = await seedDemo(profile);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`all services healthy in ${seconds}s`);
  say(`intake      ${serviceUrl(profile, 'intake')}   (POST /v1/messages, Twilio webhooks)`);
  say(`consent     ${serviceUrl(profile, 'consent')}   (POST/GET /v1/consents)`);
  say(`audit       ${serviceUrl(profile, 'audit')}   (GET /v1/messages/{id})`);
  say(`simulator   ${serviceUrl(profile, 'twilio-simulator')}   (GET /sim/messages)`);
  say(`console     ${serviceUrl(profile, 'audit')}/console/   (held messages, dashboard, enforcement)`);
  say(`traces      http://127.0.0.1:${profile.zipkinPort}/zipkin/   (Zipkin)`);
  say(`demo tenant ${demo.tenantId}: API key and numbers in ${file}`);
  say('Ctrl-C stops everything');
  for (const h of handles) {
    void h.exited.then(({ code, signal }) => {
      if (!stopping) {
        say(`${h.name} exited (code ${code}, signal ${signal}); stopping the stack`);
        void shutdown(1);
      }
    });
  }
} catch (error) {
  console.error(`npm start failed: ${error.message}`);
  await shutdown(1);
}
