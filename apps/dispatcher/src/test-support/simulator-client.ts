import type { SimMessage } from '@sms/testing';

export type { SimMessage } from '@sms/testing';

/** The simulator's test controls (`/sim`). */
export class SimulatorClient {
  constructor(readonly url: string) {}

  async messages(to?: string): Promise<SimMessage[]> {
    const answer = await fetch(`${this.url}/sim/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`);
    return ((await answer.json()) as { messages: SimMessage[] }).messages;
  }

  /** Injects a fault; returns its id. */
  async fault(spec: {
    to?: string;
    from?: string;
    status: number;
    code?: number;
    times?: number;
    latencyMs?: number;
    recordMessage?: boolean;
    queuedMs?: number;
    retryAfter?: number;
  }): Promise<string> {
    const answer = await fetch(`${this.url}/sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    if (answer.status !== 201) throw new Error(`fault refused: ${answer.status} ${await answer.text()}`);
    return ((await answer.json()) as { id: string }).id;
  }

  /** An active fault: how often it applied so far and when it last did; undefined once spent or removed. */
  async faultState(id: string): Promise<{ hits: number; lastHitAt: string | null } | undefined> {
    const answer = await fetch(`${this.url}/sim/faults`);
    return ((await answer.json()) as { faults: { id: string; hits: number; lastHitAt: string | null }[] }).faults.find((f) => f.id === id);
  }

  async removeFault(id: string): Promise<void> {
    await fetch(`${this.url}/sim/faults/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** Sends that took a fault so far: with a latency fault, counted when they arrive, before they are stored. */
  async faultHits(): Promise<number> {
    const answer = await fetch(`${this.url}/sim/faults`);
    return ((await answer.json()) as { faults: { hits: number }[] }).faults.reduce((n, f) => n + f.hits, 0);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.url}/sim/faults`, { method: 'DELETE' });
  }

  /** Rotates the account's auth token: Twilio refuses the old one from now on (401, 20003). */
  async rotateAuthToken(authToken: string): Promise<void> {
    const answer = await fetch(`${this.url}/sim/auth-token`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ authToken }) });
    if (!answer.ok) throw new Error(`auth token rotation refused: ${answer.status}`);
  }

  async messagingService(sid: string, numbers: string[]): Promise<void> {
    const answer = await fetch(`${this.url}/sim/messaging-services`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sid, numbers }) });
    if (!answer.ok) throw new Error(`messaging service refused: ${answer.status}`);
  }
}
