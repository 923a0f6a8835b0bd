import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, testStack, waitFor, type TestTenant } from '@sms/testing';
import { Pipeline, type AuditView } from './pipeline.js';
import { StackControl } from './stack-control.js';

// Under a steady load: each service killed with SIGKILL and restarted, the broker crashed and
// restarted on its data, PostgreSQL restarted, a 5xx storm and a 429 storm at "Twilio". Then
// every message intake accepted ends in exactly one terminal state, reached the simulator at
// most once (exactly once when it was to be sent), and audit holds its whole history.

const stack = testStack();
const pipeline = new Pipeline(stack);
const sim = stack.urls['twilio-simulator'];

/**
 * Terminal: nothing moves a message on from these. `sent`, `sending`, `scheduled` and `held`
 * wait for something (a callback, a slot, a person); `accepted` waits for the stages.
 */
const TERMINAL = ['delivered', 'undelivered', 'failed', 'blocked'];

/** What each kind of message is made to end as, and the decisions audit must hold for it. */
const KINDS = {
  deliver: { status: 'delivered', decisions: ['consent:pass', 'content-screening:pass', 'snowshoeing-detector:pass'], reachesTwilio: true },
  block: { status: 'blocked', decisions: ['consent:block'], reachesTwilio: false },
  // Twilio refuses the send with 21211 (not a valid number): the dispatcher fails it.
  fail: { status: 'failed', decisions: ['consent:pass', 'content-screening:pass', 'snowshoeing-detector:pass'], reachesTwilio: false },
  // Twilio takes it; the handset is unreachable (30003): the callbacks end in undelivered.
  undeliver: { status: 'undelivered', decisions: ['consent:pass', 'content-screening:pass', 'snowshoeing-detector:pass'], reachesTwilio: true },
} as const;
type Kind = keyof typeof KINDS;
const MIX: Kind[] = ['deliver', 'block', 'deliver', 'fail', 'deliver', 'undeliver', 'deliver', 'deliver', 'deliver', 'deliver'];

/**
 * The platform's shared template, sent by every tenant under its own brand from its own
 * numbers, as the platform's clinics do: that is the product working, never snowshoeing
 * (MP.EVASION.SNOWSHOE), and every such message must be delivered through every fault.
 */
const BRANDS = ['Cedar Dental', 'Maple Family Clinic', 'Harbor Eye Care', 'Summit Pediatrics', 'Willow Dermatology', 'Brook Physio'];
const TEMPLATE = (brand: string) => `${brand}: your cleaning is booked for Friday at 10. Please bring your insurance card.`;
const TENANTS = BRANDS.length;
const KILL_ORDER = ['dispatcher', 'audit', 'snowshoeing-detector', 'content-screening', 'consent', 'intake'];
const WORKERS = 3;
const PAUSE_BETWEEN_SENDS_MS = 600;

interface Accepted {
  id: string;
  kind: Kind;
  tenant: TestTenant;
  to: string;
  body: string;
}

/** Calls fn until it resolves, as an upstream product retries through an outage. */
async function persist<T>(what: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${timeoutMs / 1000}s: ${(error as Error).message}`);
      await sleep(250);
    }
  }
}

class Load {
  readonly accepted: Accepted[] = [];
  readonly refused: string[] = [];
  retries = 0;
  private running = true;
  private sequence = 0;
  private workers: Promise<void>[] = [];

  constructor(private readonly tenants: TestTenant[]) {}

  start(): void {
    this.workers = Array.from({ length: WORKERS }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (this.running) {
      await this.sendOne(this.sequence++);
      await sleep(PAUSE_BETWEEN_SENDS_MS);
    }
  }

  private async sendOne(n: number): Promise<void> {
    const kind = MIX[n % MIX.length]!;
    const tenant = this.tenants[n % this.tenants.length]!;
    const to = pipeline.recipient();
    if (kind !== 'block') await persist(`consent for ${to}`, () => pipeline.consent(tenant, to));
    if (kind === 'fail') await addFault({ to, status: 400, code: 21211 });
    if (kind === 'undeliver') await addFault({ to, status: 201, code: 30003 });
    const body = `${TEMPLATE(tenant.brand)} Reply STOP to opt out. Ref ${n}x${randomUUID().slice(0, 8)}`;
    const key = `fault-load-${n}-${randomUUID()}`;
    const request = { to, from: tenant.senders[Math.floor(n / TENANTS) % tenant.senders.length], brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body };
    // Retried with the same Idempotency-Key until intake answers: a crash after the outbox write
    // but before the answer must give the same id again, not a second message.
    const id = await persist(`sending ${key}`, async () => {
      const answer = await call<{ id: string }>(`${stack.urls.intake}/v1/messages`, { apiKey: tenant.apiKey, headers: { 'idempotency-key': key }, body: request }).catch((error: Error) => {
        this.retries++;
        throw error;
      });
      if (answer.status === 202) return answer.body.id;
      if (answer.status >= 500 || answer.status === 429) {
        this.retries++;
        throw new Error(`intake answered ${answer.status}`);
      }
      this.refused.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      return null;
    });
    if (id !== null) this.accepted.push({ id, kind, tenant, to, body });
  }
}

async function addFault(spec: Record<string, unknown>): Promise<string> {
  const answer = await call<{ id: string }>(`${sim}/sim/faults`, { body: spec });
  assert.equal(answer.status, 201, `adding fault ${JSON.stringify(spec)}: ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

/** Waits until the simulator has used up the given faults (or gives up after a while: a storm may outlast the load). */
async function stormPasses(ids: string[], timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call<{ faults: { id: string; hits: number }[] }>(`${sim}/sim/faults`);
    const left = answer.body.faults.filter((f) => ids.includes(f.id));
    if (left.length === 0 || Date.now() > deadline) {
      for (const id of ids) await call(`${sim}/sim/faults/${id}`, { method: 'DELETE' });
      return left.length;
    }
    await sleep(500);
  }
}

/** The message id the dispatcher put in the status callback URL of a message the simulator received. */
function messageIdOf(statusCallback: string | null): string | null {
  return statusCallback === null ? null : new URL(statusCallback).searchParams.get('m');
}

describe('faults under load: nothing lost, nothing sent twice, the whole history kept', () => {
  let control: StackControl;
  const log: string[] = [];
  const note = (line: string): void => {
    log.push(`${new Date().toISOString()} ${line}`);
    console.log(`  [faults] ${line}`);
  };

  before(async () => {
    control = await StackControl.create();
    assert.deepEqual([...control.services].sort(), [...KILL_ORDER].sort(), 'every service is killed once');
    await control.startAll();
  });
  after(async () => {
    await control?.stopAll();
  });

  it('survives every crash, restart and storm, then accounts for every accepted message', async () => {
    const started = Date.now();
    let stopper: { tenant: TestTenant; to: string } | undefined;
    let stopWebhookStatus = 0;
    const tenants: TestTenant[] = [];
    for (let i = 0; i < TENANTS; i++) tenants.push(await pipeline.newTenant(BRANDS[i]));
    const load = new Load(tenants);
    load.start();
    note('load started');

    try {
      await sleep(6_000);
      let t0 = Date.now();
      // Downstream first, so that intake keeps taking the load while the stages behind it crash.
      for (const service of KILL_ORDER) {
        await control.crashAndRestart(service, 1_000);
        note(`kill -9 ${service}, started again 1 s later (${load.accepted.length} accepted so far)`);
        await sleep(4_000);
      }
      await control.waitHealthy();
      note(`all healthy again ${Date.now() - t0} ms after the first kill (${load.accepted.length} accepted so far)`);
      await sleep(3_000);
      t0 = Date.now();
      // A patient texts STOP while the broker is away, longer than Twilio waits for a webhook's
      // answer (15 s): Twilio does not retry an inbound webhook, so intake must have kept it, and
      // the opt-out must be recorded once the broker is back.
      stopper = { tenant: tenants[0]!, to: pipeline.recipient() };
      await pipeline.consent(stopper.tenant, stopper.to);
      await control.crashAndRestartBroker(16_000, async () => {
        stopWebhookStatus = (await pipeline.reply(stopper!.tenant, stopper!.to, 'STOP')).webhookStatus;
      });
      note(`Kafka broker crashed and restarted on its data: all healthy after ${Date.now() - t0} ms; a STOP sent meanwhile answered ${stopWebhookStatus}`);
      await sleep(3_000);
      t0 = Date.now();
      await control.restartPostgres();
      note(`PostgreSQL restarted: all healthy after ${Date.now() - t0} ms`);
      await sleep(3_000);
      // 5xx: half refused outright, half taken by "Twilio" although the answer says 500 and still
      // waiting in its queue (no date_sent yet) when the dispatcher looks the send up: it must
      // find those, and not send them again.
      const fiveHundreds = [await addFault({ status: 503, code: 20503, times: 15 }), await addFault({ status: 500, code: 20500, times: 15, recordMessage: true, queuedMs: 8_000 })];
      note(`5xx storm: ${await stormPasses(fiveHundreds)} fault(s) left unused`);
      const tooMany = [await addFault({ status: 429, code: 20429, times: 30 })];
      note(`429 storm: ${await stormPasses(tooMany)} fault(s) left unused`);
    } finally {
      await load.stop();
    }
    note(`load stopped: ${load.accepted.length} accepted, ${load.retries} retried calls, ${load.refused.length} refused, after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(load.refused, [], 'intake refused no well-formed request');
    assert.ok(load.accepted.length >= 100, `a load worth the name: ${load.accepted.length} accepted`);
    assert.equal(new Set(load.accepted.map((a) => a.id)).size, load.accepted.length, 'every send got its own id');

    // Quiescence: every accepted message reaches a terminal state.
    const views = new Map<string, AuditView>();
    const quiet = Date.now();
    const deadline = quiet + 90_000;
    let pending = load.accepted;
    while (pending.length > 0 && Date.now() < deadline) {
      const next: Accepted[] = [];
      for (const message of pending) {
        const view = await pipeline.history(message.tenant, message.id);
        if (view && TERMINAL.includes(view.status)) views.set(message.id, view);
        else next.push(message);
      }
      pending = next;
      if (pending.length > 0) await sleep(1_000);
    }
    note(`quiescent after ${((Date.now() - quiet) / 1000).toFixed(1)} s; ${pending.length} not terminal`);
    if (pending.length > 0) {
      const stuck = await Promise.all(
        pending
          .slice(0, 10)
          .map(
            async (m) =>
              `${m.id} (${m.kind}): ${JSON.stringify((await pipeline.history(m.tenant, m.id))?.statuses ?? 'no history')}; at the simulator: ${JSON.stringify((await pipeline.simMessages(m.to)).map((s) => [s.sid, s.status]))}`,
          ),
      );
      assert.fail(`${pending.length} accepted message(s) never reached a terminal state (lost), e.g.\n${stuck.join('\n')}`);
    }

    // Each accepted message: the outcome it was made for, exactly one terminal status, every
    // stage's decision in pipeline order, and a history that starts at `accepted`.
    const problems: string[] = [];
    const counts: Record<string, number> = {};
    let withoutSending = 0;
    for (const message of load.accepted) {
      const view = views.get(message.id)!;
      const expected = KINDS[message.kind];
      counts[view.status] = (counts[view.status] ?? 0) + 1;
      // A block is a stage's decision (no status event): it counts as the block's terminal state.
      const terminal = [...view.statuses.filter((s) => TERMINAL.includes(s.status)).map((s) => s.status), ...view.decisions.filter((d) => d.decision === 'block').map(() => 'blocked')];
      const decisions = view.decisions.map((d) => `${d.stage}:${d.decision}`);
      if (view.status !== expected.status) problems.push(`${message.id} (${message.kind}) ended ${view.status}: ${JSON.stringify(view.statuses)}`);
      if (terminal.length !== 1) problems.push(`${message.id} has ${terminal.length} terminal statuses: ${terminal.join(', ')}`);
      if (JSON.stringify(decisions) !== JSON.stringify(expected.decisions)) problems.push(`${message.id} (${message.kind}) decisions ${decisions.join(' > ')}`);
      if (view.statuses[0]?.status !== 'accepted') problems.push(`${message.id} history does not start at accepted: ${JSON.stringify(view.statuses)}`);
      if (view.decisions.some((d) => d.clauses.length === 0)) problems.push(`${message.id} has a decision without a clause`);
      if (expected.reachesTwilio && !view.statuses.some((s) => s.status === 'sending')) withoutSending++;
    }
    note(`outcomes ${JSON.stringify(counts)}; ${withoutSending} sent message(s) without a 'sending' status in audit`);

    // The simulator: each message id at most once; exactly once for those meant to reach Twilio.
    const received = (await call<{ messages: { sid: string; to: string; body: string; statusCallback: string | null; direction: string }[] }>(`${sim}/sim/messages`)).body.messages;
    // The STOP sent while the broker was away: recorded once it was back, confirmed exactly once.
    const stopped = await waitFor('the STOP sent during the broker crash to be recorded', async () => {
      const state = await call<{ state: { optedOut: boolean } }>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(stopper.to)}&brand=${encodeURIComponent(stopper.tenant.brand)}`, {
        apiKey: stopper.tenant.apiKey,
      });
      return state.body.state.optedOut ? state.body.state : undefined;
    });
    assert.equal(stopped.optedOut, true);
    const confirmations = received.filter((m) => m.to === stopper.to);
    assert.equal(confirmations.length, 1, 'exactly one opt-out confirmation');
    const confirmationIds = new Set(confirmations.map((m) => messageIdOf(m.statusCallback)));
    const byId = new Map<string, { sid: string }[]>();
    for (const m of received) {
      const id = messageIdOf(m.statusCallback);
      if (m.direction === 'outbound-reply') continue; // Twilio's own answer to a STOP: no message of ours
      if (id === null) {
        problems.push(`the simulator received a message without a message id: ${m.body}`);
        continue;
      }
      byId.set(id, [...(byId.get(id) ?? []), m]);
    }
    const acceptedIds = new Set(load.accepted.map((a) => a.id));
    for (const [id, copies] of byId) {
      if (copies.length > 1) problems.push(`message ${id} reached the simulator ${copies.length} times`);
      if (!acceptedIds.has(id) && !confirmationIds.has(id)) problems.push(`the simulator received ${id}, which intake never accepted`);
    }
    for (const message of load.accepted) {
      const copies = byId.get(message.id) ?? [];
      const view = views.get(message.id)!;
      if (KINDS[message.kind].reachesTwilio && copies.length !== 1) problems.push(`${message.id} (${message.kind}) reached the simulator ${copies.length} times`);
      if (!KINDS[message.kind].reachesTwilio && copies.length !== 0) problems.push(`${message.id} (${message.kind}) reached the simulator`);
      if (copies.length === 1 && view.twilioSid !== copies[0]!.sid) problems.push(`${message.id}: audit has SID ${view.twilioSid}, the simulator ${copies[0]!.sid}`);
    }
    note(`the simulator received ${received.length} message(s), ${byId.size} distinct id(s)`);

    // Each tenant's hash chain is intact: audit lost or reordered nothing it had appended.
    for (const tenant of tenants) {
      const verified = await call<Record<string, unknown>>(`${stack.urls.audit}/v1/history/verify`, { apiKey: tenant.apiKey });
      if (verified.status !== 200 || verified.body['ok'] !== true) problems.push(`tenant ${tenant.tenantId} chain: ${verified.status} ${JSON.stringify(verified.body)}`);
    }

    assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problem(s)`);

    // Healthy at the end, and nothing exited on its own.
    assert.deepEqual(control.exited(), []);
    await control.waitHealthy(10_000);
    note(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
