// Benchmarks: figures, printed, never asserted. Each `*.bench.js` under the given projects'
// dist and dist-scripts runs against a fresh broker and database of its own (TEST_SLOT 8 unless set), with the
// whole stack started too when --stack is given; BENCH_CPU_PROFILE names services whose CPU
// profiles are written to .local/bench/profiles/<service>. Benches get the broker's and the
// services' pids in BENCH_PIDS (JSON, name → pid), to account CPU time to them.
//   node tools/run-bench.mjs [--stack] <project dir>...
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, relative, resolve } from 'node:path';

process.env.TEST_SLOT ??= '8';
const { getProfile, ROOT } = await import('./stack/profiles.mjs');
const { NODE_FLAGS, STACK, startProcesses, stopProcesses, waitHealthy } = await import('./stack/services.mjs');
const { prepareInfrastructure, writeStackFile } = await import('./stack/test-infra.mjs');

const args = process.argv.slice(2);
const withStack = args.includes('--stack');
const projects = args.filter((a) => !a.startsWith('--')).map((p) => resolve(ROOT, p));
if (projects.length === 0) {
  console.error('usage: node tools/run-bench.mjs [--stack] <project dir>...');
  process.exit(2);
}
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.bench.js')) files.push(path);
  }
};
execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs')], { stdio: 'inherit' });
for (const project of projects) for (const out of ['dist', 'dist-scripts']) if (existsSync(join(project, out))) walk(join(project, out));

const profile = getProfile('test');
/**
 * The processes a bench may account CPU to: the broker, the stack's services, and this host,
 * which pipes the services' logs and runs the trace sink (with the stack), by name.
 */
const pids = () => {
  const brokerPid = join(profile.dir, 'kafka', 'broker.pid');
  return {
    ...(existsSync(brokerPid) ? { kafka: Number(readFileSync(brokerPid, 'utf8').trim()) } : {}),
    ...Object.fromEntries(handles.map((h) => [h.name, h.child.pid])),
    ...(withStack ? { 'bench host': process.pid } : {}),
  };
};
const stop = await prepareInfrastructure(profile);
const stackFile = writeStackFile(profile);
let handles = [];
let failed = false;
let traceSink;
try {
  if (withStack) {
    // Spans are exported as in production, to a sink that takes and drops them (a trace
    // backend would cost this machine's two cores more than the services it measures).
    traceSink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
    await new Promise((r) => traceSink.listen(Number(new URL(profile.otlpEndpoint).port), '127.0.0.1', r));
    // BENCH_CPU_PROFILE=dispatcher,consent: those services write V8 CPU profiles when they stop.
    const profiled = new Set((process.env.BENCH_CPU_PROFILE ?? '').split(',').filter(Boolean));
    const profileDir = join(ROOT, '.local', 'bench', 'profiles');
    const extraEnv = Object.fromEntries(
      STACK.map((name) => [name, { OTEL_EXPORTER_ZIPKIN_ENDPOINT: '', ...(profiled.has(name) ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(profileDir, name)}` } : {}) }]),
    );
    handles = startProcesses(profile, STACK, { extraEnv });
    await waitHealthy(handles);
  }
  for (const file of files.sort()) {
    console.log(`\n== ${relative(ROOT, file)}`);
    const code = await new Promise((done) => {
      const child = spawn(process.execPath, [...NODE_FLAGS, file], { stdio: 'inherit', env: { ...process.env, TEST_STACK_FILE: stackFile, BENCH_PIDS: JSON.stringify(pids()) } });
      child.on('exit', done);
    });
    if (code !== 0) failed = true;
  }
} finally {
  await stopProcesses(handles);
  traceSink?.close();
  await stop();
}
process.exit(failed ? 1 : 0);
