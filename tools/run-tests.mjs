// The test tiers. `npm test` runs `all`: static checks, unit, integration, end-to-end, faults.
//   node tools/run-tests.mjs unit|static|integration|e2e|faults|all [project dirs...]
// Integration and end-to-end tiers start what they need themselves: a Kafka broker on the
// test ports (fresh each run), a fresh test database with every service's migrations, and
// for end-to-end the simulator, the six services and a trace receiver. The faults tier gets a
// fresh broker and database of its own; its tests start, kill and restart the processes
// themselves (tools/stack/services.mjs), so run one fault test at a time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startOtlpReceiver } from './stack/otlp-receiver.mjs';
import { startZipkin, stopZipkin } from './stack/zipkin.mjs';
import { getProfile, ROOT } from './stack/profiles.mjs';
import { NODE_FLAGS, STACK, startProcesses, stopProcesses, waitHealthy } from './stack/services.mjs';
import { prepareInfrastructure, writeStackFile } from './stack/test-infra.mjs';

const SUFFIX = { unit: '.spec.js', integration: '.int-spec.js', e2e: '.e2e-spec.js', faults: '.fault-spec.js' };
const profile = getProfile('test');
const [tier = 'all', ...projectArgs] = process.argv.slice(2);
const step = (message) => console.log(`\n\x1b[1m== ${message}\x1b[0m`);

function projectDirs() {
  if (projectArgs.length > 0) return projectArgs.map((p) => resolve(ROOT, p));
  const dirs = [];
  for (const group of ['libs', 'apps', 'apps/dev']) {
    const base = join(ROOT, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(base, entry.name, 'project.json'))) dirs.push(join(base, entry.name));
    }
  }
  return dirs;
}

function testFiles(kind) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(SUFFIX[kind])) files.push(path);
    }
  };
  // dist: the project's src compiled; dist-scripts: an app's scripts (benchmarks, evaluations, CLIs) compiled.
  for (const project of projectDirs()) for (const out of ['dist', 'dist-scripts']) if (existsSync(join(project, out))) walk(join(project, out));
  return files.sort();
}

function runNodeTests(kind, env = {}) {
  const files = testFiles(kind);
  if (files.length === 0) {
    console.log(`no ${kind} tests here`);
    return Promise.resolve(0);
  }
  console.log(`${files.length} ${kind} test files: ${files.map((f) => relative(ROOT, f)).join(' ')}`);
  // TEST_NAME_PATTERN runs only the tests whose names match (node --test-name-pattern), to iterate on a few.
  const only = process.env.TEST_NAME_PATTERN ? [`--test-name-pattern=${process.env.TEST_NAME_PATTERN}`] : [];
  const args = [...NODE_FLAGS, '--test', '--test-reporter=spec', `--test-concurrency=${kind === 'unit' ? 2 : 1}`, `--test-timeout=${kind === 'unit' ? 30_000 : 300_000}`, ...only, ...files];
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });
}

const failures = [];
const record = (name, code) => {
  if (code !== 0) failures.push(name);
};
const timings = [];
async function timed(name, fn) {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings.push(`${name} ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  }
}

let stopInfrastructure = null;
let zipkinStarted = false;
let handles = [];
let receiver = null;
try {
  step('build');
  execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs'), ...projectArgs], { stdio: 'inherit' });

  if (tier === 'static' || tier === 'all') {
    step('static checks: types and lint');
    await timed('static', async () => {
      record('typecheck', spawnSync('tsc', ['-p', 'tsconfig.json']));
      record('typecheck (browser console)', spawnSync('tsc', ['-p', 'apps/audit/src/console/tsconfig.json']));
      // The boundary rule silently skips itself without a project graph: make one first.
      record('project graph', spawnSync('nx', ['graph', '--file=.cache/project-graph.json'], { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }));
      record('generated docs', runScript('generate-docs.mjs', ['--check']));
      record('docker-compose', runScript('check-compose.mjs', []));
      record('deploy manifests', runScript('generate-deploy.mjs', ['--check']));
      record('deploy schemas', runScript('check-deploy.mjs', []));
      record('lint', spawnSync('eslint', ['--max-warnings=0', '--cache', '--cache-location', '.cache/eslint', ...(projectArgs.length > 0 ? projectArgs : ['apps', 'libs'])]));
      record('format', spawnSync('prettier', ['--check', '--log-level', 'warn', 'apps/**/*.{ts,mjs}', 'libs/**/*.{ts,mjs}', 'tools/**/*.mjs']));
    });
  }
  if (tier === 'unit' || tier === 'all') {
    step('unit tier');
    record('unit', await timed('unit', () => runNodeTests('unit')));
  }
  if (tier === 'integration' || tier === 'e2e' || tier === 'all') {
    step('infrastructure: Kafka (fresh), test database (fresh), migrations');
    await timed('infrastructure', async () => {
      stopInfrastructure = await prepareInfrastructure(profile);
    });
    const stackFile = writeStackFile(profile);
    if (tier === 'integration' || tier === 'all') {
      step('integration tier');
      record('integration', await timed('integration', () => runNodeTests('integration', { TEST_STACK_FILE: stackFile })));
    }
    if (tier === 'e2e' || tier === 'all') {
      step('end-to-end tier: simulator, six services, trace receiver');
      receiver = await startOtlpReceiver(Number(new URL(profile.otlpEndpoint).port));
      zipkinStarted = true;
      const zipkin = startZipkin('test', () => undefined);
      handles = startProcesses(profile, STACK);
      await timed('stack start', () => Promise.all([waitHealthy(handles), zipkin]));
      record('e2e', await timed('e2e', () => runNodeTests('e2e', { TEST_STACK_FILE: stackFile })));
    }
  }
  if (tier === 'faults' || tier === 'all') {
    // A stack of its own: nothing an earlier tier left in Kafka or the database can interfere.
    await stopProcesses(handles);
    handles = [];
    await receiver?.close();
    receiver = null;
    if (zipkinStarted) await stopZipkin('test');
    zipkinStarted = false;
    await stopInfrastructure?.();
    stopInfrastructure = null;
    step('fault tier: infrastructure (fresh); the tests start and kill the services themselves');
    await timed('faults infrastructure', async () => {
      stopInfrastructure = await prepareInfrastructure(profile);
    });
    const stackFile = writeStackFile(profile);
    record('faults', await timed('faults', () => runNodeTests('faults', { TEST_STACK_FILE: stackFile })));
  }
} catch (error) {
  console.error(`\ntest run failed: ${error.stack ?? error.message}`);
  failures.push('harness');
} finally {
  await stopProcesses(handles);
  await receiver?.close();
  if (zipkinStarted) await stopZipkin('test');
  await stopInfrastructure?.();
}

function spawnSync(bin, args, env = {}) {
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', bin), args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
    return 0;
  } catch {
    return 1;
  }
}

function runScript(script, args) {
  try {
    execFileSync(process.execPath, [join(ROOT, 'tools', script), ...args], { stdio: 'inherit', cwd: ROOT });
    return 0;
  } catch {
    return 1;
  }
}

console.log(`\ntimings: ${timings.join(', ')}`);
if (failures.length > 0) {
  console.error(`\x1b[31mFAILED: ${failures.join(', ')}\x1b[0m`);
  process.exit(1);
}
console.log('\x1b[32mall tiers passed\x1b[0m');
