import type { TenantConfigEvent } from '@sms/contracts';
import type { DispatchWorld } from './dispatch-world.js';
import { dispatcherProcess, startSimulator, type ChildService, type StackLike } from './processes.js';
import { SimulatorClient } from './simulator-client.js';

/** A topic tap of a spec: started before the processes, stopped after them. */
interface Tap {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * What a dispatcher integration spec runs against: its topic taps, its tenants on the tenant
 * topic, the Twilio simulator and the dispatcher instances as child processes. `stop` stops the
 * instances, then the simulator, then the taps, and closes the world.
 */
export class DispatcherRig {
  private simulator: ChildService | undefined;
  private readonly dispatchers: ChildService[] = [];

  constructor(
    private readonly stack: StackLike,
    private readonly world: DispatchWorld,
    private readonly taps: Tap[] = [],
  ) {}

  /** Starts the taps, puts the tenants on the tenant topic and starts the simulator; its client. */
  async start(name: string, tenants: TenantConfigEvent[]): Promise<SimulatorClient> {
    await Promise.all(this.taps.map((t) => t.start()));
    for (const tenant of tenants) await this.world.tenant(tenant);
    this.simulator = await startSimulator(this.stack, name);
    return new SimulatorClient(this.simulator.url);
  }

  /** Starts a dispatcher instance against the simulator (waiting until it is healthy unless told not to). */
  async dispatcher(name: string, env: Record<string, string>, waitHealthy = true): Promise<ChildService> {
    if (!this.simulator) throw new Error('start the rig before its dispatchers');
    const started = await (await dispatcherProcess(this.stack, this.simulator.url, name, env)).start(waitHealthy);
    this.dispatchers.push(started);
    return started;
  }

  async stop(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.stop()));
    await this.simulator?.stop();
    await Promise.all(this.taps.map((t) => t.stop()));
    await this.world.close();
  }
}
