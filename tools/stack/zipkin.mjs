// Zipkin, the trace backend of local and test stacks: its official server from the Maven
// registry, run with in-memory storage. (An OTLP-native backend is not obtainable from this
// machine's registries; the services export to Zipkin with OpenTelemetry's Zipkin exporter,
// and to any OTLP endpoint given. docker-compose.yml runs Jaeger with OTLP instead.)
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningPid } from './pid-file.mjs';
import { getProfile, ROOT } from './profiles.mjs';

const VERSION = '3.5.1';
const CACHE = join(ROOT, '.cache', 'zipkin', VERSION);
const JAR = join(CACHE, `zipkin-server-${VERSION}-exec.jar`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function ensureZipkin(log = console.log) {
  if (existsSync(JAR)) return;
  log(`fetching Zipkin ${VERSION} with Maven (once)...`);
  mkdirSync(CACHE, { recursive: true });
  execFileSync('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=io.zipkin:zipkin-server:${VERSION}:jar:exec`, `-DoutputDirectory=${CACHE}`], { stdio: 'inherit', cwd: CACHE });
  if (!existsSync(JAR)) throw new Error(`Maven did not produce ${JAR}`);
}

const paths = (profile) => ({ dir: join(profile.dir, 'zipkin'), pid: join(profile.dir, 'zipkin', 'zipkin.pid'), log: join(profile.dir, 'zipkin', 'zipkin.log') });

export async function startZipkin(profileName, log = console.log) {
  const profile = getProfile(profileName);
  const p = paths(profile);
  const url = `http://127.0.0.1:${profile.zipkinPort}`;
  if (runningPid(p.pid) === null) {
    ensureZipkin(log);
    mkdirSync(p.dir, { recursive: true });
    const out = openSync(p.log, 'a');
    const child = spawn('java', ['-Xms64m', '-Xmx384m', '-jar', JAR, `--server.port=${profile.zipkinPort}`, '--server.address=127.0.0.1', '--logging.level.root=WARN'], {
      stdio: ['ignore', out, out],
      detached: true,
      env: { ...process.env, STORAGE_TYPE: 'mem', MEM_MAX_SPANS: '2000000', COLLECTOR_SCRIBE_ENABLED: 'false' },
    });
    closeSync(out);
    child.unref();
    writeFileSync(p.pid, String(child.pid));
  }
  const started = Date.now();
  while (Date.now() - started < 120_000) {
    if (runningPid(p.pid) === null) throw new Error(`Zipkin exited during start-up; see ${p.log}`);
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) {
        log(`Zipkin ${VERSION} (${profileName}) ready on ${url} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        return url;
      }
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`Zipkin was not ready after 120s; see ${p.log}`);
}

export async function stopZipkin(profileName) {
  const p = paths(getProfile(profileName));
  const pid = runningPid(p.pid);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && runningPid(p.pid) !== null; i++) await sleep(100);
    if (runningPid(p.pid) !== null) process.kill(pid, 'SIGKILL');
  }
  rmSync(p.pid, { force: true });
}
