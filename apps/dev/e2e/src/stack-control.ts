import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** A process started by tools/stack/services.mjs. */
interface ProcessHandle {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  logFile: string;
}

interface Profile {
  name: string;
}

interface StackTools {
  getProfile(name: 'test'): Profile;
  STACK: string[];
  startProcesses(profile: Profile, names: string[]): ProcessHandle[];
  waitHealthy(profile: Profile, handles: ProcessHandle[], timeoutMs?: number): Promise<void>;
  stopProcesses(handles: ProcessHandle[]): Promise<void>;
  startBroker(profileName: string, log?: (line: string) => void): Promise<unknown>;
  killBroker(profileName: string): Promise<void>;
}

/** The repository root, from apps/dev/e2e/dist/. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function loadTools(): Promise<StackTools> {
  const load = (file: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(ROOT, 'tools', 'stack', file)).href);
  const [profiles, services, kafka] = await Promise.all([load('profiles.mjs'), load('services.mjs'), load('kafka.mjs')]);
  return { ...profiles, ...services, ...kafka } as unknown as StackTools;
}

/**
 * The test stack as processes this test owns: the simulator and the six services started with
 * the test profile's environment (what `npm test` runs), killed with SIGKILL and started again one
 * at a time; the test broker killed and started again on its data; PostgreSQL restarted.
 */
export class StackControl {
  private handles = new Map<string, ProcessHandle>();

  private constructor(
    private readonly tools: StackTools,
    private readonly profile: Profile,
  ) {}

  static async create(): Promise<StackControl> {
    const tools = await loadTools();
    return new StackControl(tools, tools.getProfile('test'));
  }

  get services(): string[] {
    return this.tools.STACK.filter((name) => name !== 'twilio-simulator');
  }

  async startAll(): Promise<void> {
    const started = this.tools.startProcesses(this.profile, this.tools.STACK);
    for (const h of started) this.handles.set(h.name, h);
    await this.tools.waitHealthy(this.profile, started);
  }

  /**
   * kill -9, a pause, then the same service started again. Resolves once it runs, not once it
   * is healthy: a restarted consumer waits for its group to drop the killed member (the
   * consumers' 30 s session timeout) before it serves, so the next crash may come meanwhile.
   */
  async crashAndRestart(name: string, downMs: number): Promise<void> {
    const handle = this.handles.get(name);
    if (!handle) throw new Error(`${name} is not running`);
    handle.child.kill('SIGKILL');
    await handle.exited;
    await sleep(downMs);
    const [again] = this.tools.startProcesses(this.profile, [name]);
    this.handles.set(name, again!);
  }

  /**
   * The broker crashes (SIGKILL, no controlled shutdown) and starts again on the same data at
   * least `downMs` later; `whileDown` runs meanwhile. The broker comes back whatever `whileDown`
   * does, and its failure is thrown after.
   */
  async crashAndRestartBroker(downMs: number, whileDown: () => Promise<void> = async () => undefined): Promise<void> {
    await this.tools.killBroker(this.profile.name);
    const [failed] = await Promise.all([
      whileDown().then(
        () => null,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
      sleep(downMs),
    ]);
    await this.tools.startBroker(this.profile.name, () => undefined);
    await this.waitHealthy();
    if (failed !== null) throw failed;
  }

  /**
   * Restarts PostgreSQL. The command is `pg_ctlcluster 15 main restart` (the machine's cluster,
   * run as root in CI); FAULTS_POSTGRES_RESTART replaces it, e.g. with `pg_ctl -D ... restart`.
   */
  async restartPostgres(): Promise<void> {
    const command = process.env['FAULTS_POSTGRES_RESTART'] ?? 'pg_ctlcluster 15 main restart';
    await promisify(execFile)('sh', ['-c', command]);
    await this.waitHealthy();
  }

  /** Every process answers GET /health with 200 (and none has exited). */
  waitHealthy(timeoutMs = 90_000): Promise<void> {
    return this.tools.waitHealthy(this.profile, [...this.handles.values()], timeoutMs);
  }

  /** Names of processes that exited on their own. */
  exited(): string[] {
    return [...this.handles.values()].filter((h) => h.child.exitCode !== null || h.child.signalCode !== null).map((h) => h.name);
  }

  logFile(name: string): string | undefined {
    return this.handles.get(name)?.logFile;
  }

  async stopAll(): Promise<void> {
    await this.tools.stopProcesses([...this.handles.values()]);
    this.handles.clear();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
