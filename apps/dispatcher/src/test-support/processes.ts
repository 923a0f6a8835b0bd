import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

// Integration tests run the real programs as child processes (apps never import apps), so that
// a test can kill -9 the dispatcher at any point.
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..');
const FLAGS = ['--enable-source-maps'];

/** A port nothing listens on at the moment. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export class ChildService {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    readonly url: string,
    private readonly logFile: string,
  ) {}

  /**
   * Starts the program and waits until it answers /health. Without waiting, it returns at once:
   * a dispatcher restarted after kill -9 sends from its queue long before it is healthy (it joins
   * the Kafka consumer group only when the killed member's session has expired).
   */
  async start(waitHealthy = true): Promise<this> {
    mkdirSync(dirname(this.logFile), { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...FLAGS, this.entry], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    this.child = child;
    const state: { exit: string | null } = { exit: null };
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        state.exit = `exited (code ${code}, signal ${signal}); see ${this.logFile}`;
        done();
      }),
    );
    if (!waitHealthy) return this;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (state.exit !== null) throw new Error(`${this.name} ${state.exit}`);
      try {
        const answer = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
        if (answer.ok) return this;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not healthy within 60 s; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** kill -9: no shutdown hook runs. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface StackLike {
  kafkaBrokers: string[];
  databaseUrl: string;
  piiHashKey: string;
  twilio: { accountSid: string; authToken: string };
  logDir: string;
}

/** Beside the stack's log folder, not in it: the end-to-end tier reads every file there. */
function logFile(stack: StackLike, name: string): string {
  return join(stack.logDir, '..', 'dispatcher-int-logs', name);
}

/** The Twilio simulator (apps/dev/twilio-simulator) on a free port. */
export async function startSimulator(stack: StackLike, name: string): Promise<ChildService> {
  const port = await freePort();
  return new ChildService(
    `twilio-simulator (${name})`,
    join(ROOT, 'apps', 'dev', 'twilio-simulator', 'dist', 'main.js'),
    {
      SIM_HOST: '127.0.0.1',
      SIM_PORT: String(port),
      SIM_ACCOUNT_SID: stack.twilio.accountSid,
      SIM_AUTH_TOKEN: stack.twilio.authToken,
      SIM_CALLBACK_DELAY_MS: '20',
    },
    `http://127.0.0.1:${port}`,
    logFile(stack, `simulator-${name}.log`),
  ).start();
}

/** A dispatcher instance (apps/dispatcher/dist/main.js) with the test stack's Kafka and database. */
export async function dispatcherProcess(stack: StackLike, simulatorUrl: string, name: string, extra: Record<string, string> = {}): Promise<ChildService> {
  const port = await freePort();
  const callbacks = await freePort(); // nothing listens there: callbacks fail, as when intake is away
  return new ChildService(
    `dispatcher (${name})`,
    join(ROOT, 'apps', 'dispatcher', 'dist', 'main.js'),
    {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      DATABASE_URL: stack.databaseUrl,
      PII_HASH_KEY: stack.piiHashKey,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'log',
      TWILIO_ACCOUNT_SID: stack.twilio.accountSid,
      TWILIO_AUTH_TOKEN: stack.twilio.authToken,
      TWILIO_API_BASE_URL: simulatorUrl,
      STATUS_CALLBACK_BASE_URL: `http://127.0.0.1:${callbacks}`,
      ...extra,
    },
    `http://127.0.0.1:${port}`,
    logFile(stack, `dispatcher-${name}.log`),
  );
}

/** Runs the operators' pause command (apps/dispatcher/dist/pauses.js) against the test database. */
export function pausesCommand(stack: StackLike, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, [join(ROOT, 'apps', 'dispatcher', 'dist', 'pauses.js'), ...args], { env: { ...process.env, DATABASE_URL: stack.databaseUrl } }, (error, stdout, stderr) => {
      resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
