import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** A process started by tools/stack/services.mjs. */
interface ProcessHandle {
  /** `<service>` or, for one of several instances, `<service>.<n>`. */
  name: string;
  service: string;
  instance: number;
  url: string;
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
  SERVICES: string[];
  instancePort(profile: Profile, service: string, instance: number): number;
  startProcesses(profile: Profile, services: string[], options?: { instance?: number }): ProcessHandle[];
  waitHealthy(handles: ProcessHandle[], timeoutMs?: number, probeMs?: number): Promise<void>;
  stopProcesses(handles: ProcessHandle[]): Promise<void>;
  startBalancer(port: number, targets: number[]): Promise<() => Promise<void>>;
  startBroker(profileName: string, log?: (line: string) => void): Promise<unknown>;
  killBroker(profileName: string): Promise<void>;
}

/** The repository root, from apps/dev/e2e/dist/. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function loadTools(): Promise<StackTools> {
  const load = (file: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(ROOT, 'tools', 'stack', file)).href);
  const [profiles, services, kafka, balancer] = await Promise.all([load('profiles.mjs'), load('services.mjs'), load('kafka.mjs'), load('balancer.mjs')]);
  return { ...profiles, ...services, ...kafka, ...balancer } as unknown as StackTools;
}

/**
 * The test stack as processes this test owns: the simulator and the six services started with
 * the test profile's environment (what `npm test` runs), killed with SIGKILL and started again one
 * at a time; the test broker killed and started again on its data; PostgreSQL restarted.
 *
 * With `instances` above one, every service runs that many instances, as it is deployed: Kafka
 * splits each consumer group's partitions between them, and a balancer on the service's port
 * (where every URL of the stack points) hands HTTP requests to them in turn.
 */
export class StackControl {
  private handles = new Map<string, ProcessHandle>();
  private balancers: (() => Promise<void>)[] = [];

  private constructor(
    private readonly tools: StackTools,
    private readonly profile: Profile,
    readonly instances: number,
  ) {}

  static async create(options: { instances?: number } = {}): Promise<StackControl> {
    const tools = await loadTools();
    return new StackControl(tools, tools.getProfile('test'), options.instances ?? 1);
  }

  /** The six services (each run as `instances` processes). */
  get services(): string[] {
    return this.tools.SERVICES;
  }

  /** The services' processes by name: `<service>`, or `<service>.<n>` for n = 1..instances. */
  get processes(): string[] {
    return [...this.handles.values()].filter((h) => h.service !== 'twilio-simulator').map((h) => h.name);
  }

  async startAll(): Promise<void> {
    const started: ProcessHandle[] = this.tools.startProcesses(this.profile, ['twilio-simulator']);
    if (this.instances === 1) started.push(...this.tools.startProcesses(this.profile, this.services));
    else {
      for (const service of this.services) {
        const ports = Array.from({ length: this.instances }, (_, i) => this.tools.instancePort(this.profile, service, i + 1));
        this.balancers.push(await this.tools.startBalancer(this.tools.instancePort(this.profile, service, 0), ports));
      }
      for (let instance = 1; instance <= this.instances; instance++) started.push(...this.tools.startProcesses(this.profile, this.services, { instance }));
    }
    for (const h of started) this.handles.set(h.name, h);
    await this.tools.waitHealthy(started);
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
    const [again] = this.tools.startProcesses(this.profile, [handle.service], { instance: handle.instance });
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

  /**
   * Every process answers GET /health with 200 (and none has exited). Generous: under a backlog
   * twelve instances share two cores while restarted ones rejoin their groups and read their
   * compacted views again, and each answers slowly (the database check has a connection of its
   * own, so it no longer waits behind the backlog's work).
   */
  waitHealthy(timeoutMs = 300_000): Promise<void> {
    return this.tools.waitHealthy([...this.handles.values()], timeoutMs, 5_000);
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
    await Promise.all(this.balancers.map((close) => close()));
    this.balancers = [];
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
