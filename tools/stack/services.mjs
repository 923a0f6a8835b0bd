// Starting, watching and stopping the simulator and the six services as child processes.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { instancePort, ROOT, SERVICES, serviceEntry, serviceEnv } from './profiles.mjs';

// No --disable-warning=TimeoutNegativeWarning: that warning was kafkajs polling every idle
// connection every millisecond (fixed in libs/kafka/src/request-queue-fix.ts); let it show.
export const NODE_FLAGS = ['--enable-source-maps'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs each service's migrations (`dist/migrate.js`), one after another. */
export async function migrateAll(profile, log = console.log) {
  for (const service of SERVICES) {
    const entry = join(ROOT, 'apps', service, 'dist', 'migrate.js');
    if (!existsSync(entry)) continue;
    const env = { ...process.env, ...serviceEnv(profile, service) };
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, [...NODE_FLAGS, entry], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (d) => log(`migrate ${service}: ${d.toString().trim()}`));
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`migrations of ${service} failed (exit ${code})`);
  }
}

/**
 * Starts processes with their profile's environment. Each one's output goes to
 * <profile dir>/logs/<name>.log and, when `onLine` is given, line by line to it. With
 * `instance` n > 0 each process is instance n of its service: named `<service>.<n>`, on its
 * own port (instancePort), sharing everything else with the other instances.
 */
export function startProcesses(profile, services, { onLine, extraEnv = {}, instance = 0 } = {}) {
  const logDir = join(profile.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  return services.map((service) => {
    const name = instance === 0 ? service : `${service}.${instance}`;
    const file = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [...NODE_FLAGS, serviceEntry(service)], {
      env: { ...process.env, ...serviceEnv(profile, service, instance), ...(extraEnv[service] ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    const onData = (chunk) => {
      file.write(chunk);
      if (!onLine) return;
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.length > 0) onLine(name, line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { name, service, instance, url: `http://127.0.0.1:${instancePort(profile, service, instance)}`, child, exited, logFile: join(logDir, `${name}.log`) };
  });
}

/**
 * Waits until every process answers GET /health with 200; fails fast if one exits. Each probe
 * waits `probeMs` for its answer (a service working through a backlog answers slowly).
 */
export async function waitHealthy(handles, timeoutMs = 90_000, probeMs = 1_000) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(handles.map((h) => h.name));
  const exitedEarly = new Map();
  for (const h of handles) void h.exited.then((how) => exitedEarly.set(h.name, how));
  while (pending.size > 0) {
    for (const [name, how] of exitedEarly) {
      if (pending.has(name)) {
        const log = handles.find((h) => h.name === name)?.logFile;
        throw new Error(`${name} exited during start-up (code ${how.code}, signal ${how.signal}); see ${log}`);
      }
    }
    if (Date.now() > deadline) throw new Error(`not healthy after ${timeoutMs / 1000}s: ${[...pending].join(', ')}`);
    await Promise.all(
      [...pending].map(async (name) => {
        try {
          const response = await fetch(`${handles.find((h) => h.name === name).url}/health`, { signal: AbortSignal.timeout(probeMs) });
          if (response.ok) pending.delete(name);
        } catch {
          // not listening yet
        }
      }),
    );
    if (pending.size > 0) await sleep(250);
  }
}

/** SIGTERM, then SIGKILL after a grace period. */
export async function stopProcesses(handles, graceMs = 15_000) {
  await Promise.all(
    handles.map(async (h) => {
      if (h.child.exitCode !== null || h.child.signalCode !== null) return;
      h.child.kill('SIGTERM');
      const timer = setTimeout(() => h.child.kill('SIGKILL'), graceMs);
      await h.exited;
      clearTimeout(timer);
    }),
  );
}

export const STACK = ['twilio-simulator', ...SERVICES];
