import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS, type MessageEnvelope, type SendRequestEvent } from '@sms/contracts';
import { createKafkaClient, encodeValue } from '@sms/kafka';
import { call, testStack, waitFor } from '@sms/testing';
import type { Consumer, Producer } from 'kafkajs';
import pLimit from 'p-limit';
import { senderOf, setUpTenants, type LoadTenant } from './load-tenants.js';
import { Pipeline, type AuditView } from './pipeline.js';
import { StackControl } from './stack-control.js';

// Two instances of every service, as the gateway is deployed (Kafka splits each group's
// partitions between them), under load: an upstream's send requests over Kafka at FAULTS_RATE
// messages a second (500 by default), and a trickle over HTTP. Meanwhile each instance is
// killed with SIGKILL and restarted, the broker crashed and restarted on its data, PostgreSQL
// restarted, a 5xx storm and a 429 storm at "Twilio". Then every message intake accepted ends
// in exactly one terminal state, reached the simulator at most once (exactly once when it was to
// be sent), and audit holds its whole history.

const stack = testStack();
const pipeline = new Pipeline(stack);
const sim = stack.urls['twilio-simulator'];
const INSTANCES = 2;
/** Send requests offered over Kafka per second, whatever the stack keeps up with (open loop)... */
const RATE = Number(process.env['FAULTS_RATE'] ?? 500);
/** ...for this long from the start of the faults: more than two cores drain meanwhile, so every later fault meets a backlog. */
const BURST_SECONDS = Number(process.env['FAULTS_BURST_SECONDS'] ?? 30);

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
const KILL_ORDER = ['dispatcher', 'audit', 'snowshoeing-detector', 'content-screening', 'consent', 'intake'];
const WORKERS = 3;
const PAUSE_BETWEEN_SENDS_MS = 600;
/** Recipients of each tenant that Twilio refuses (21211), and that it takes but cannot reach (30003). */
const FAILING_RECIPIENTS = 10;

interface Accepted {
  id: string;
  kind: Kind;
  tenant: LoadTenant;
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

  constructor(private readonly tenants: LoadTenant[]) {}

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
    const request = { to, from: senderOf(tenant, to), brand: tenant.brand, campaign: 'offers', useCase: 'marketing', body };
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

/**
 * An upstream product's send requests over Kafka, open loop at RATE a second: the schedule is
 * by elapsed time, so what a broker outage held back is offered as soon as it is back. Mostly
 * the shared template to consented patients; one request a second to a patient with no consent
 * for offers (a block, few enough to stay below the enforcement thresholds), and one in 25 to a
 * number Twilio refuses or cannot reach.
 */
class KafkaLoad {
  readonly requests = new Map<string, Omit<Accepted, 'id'>>();
  /** Message ids by idempotency key, from intake's acceptances on sms.accepted.v1 (collectIds). */
  readonly ids = new Map<string, string>();
  private running = true;
  private driver: Promise<void> | undefined;
  private readonly kafka = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'faults-load', log: { error: () => undefined, warn: () => undefined, info: () => undefined } });
  private producer: Producer | undefined;
  produceRetries = 0;
  /** How long producing the burst took: RATE a second when the broker kept up. */
  burstSeconds = 0;

  private tenants: LoadTenant[] = [];

  constructor(private readonly run: string) {}

  /** The producer, also for setting the tenants up (their consents go over Kafka). */
  async connect(): Promise<Producer> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    return this.producer;
  }

  start(tenants: LoadTenant[]): void {
    this.tenants = tenants;
    this.driver = this.drive();
  }

  /**
   * Reads sms.accepted.v1 from the start until intake's acceptance of every request is found, or
   * `timeoutMs` passes; the number still missing. Read once the faults are over: a consumer
   * that lived through the broker's crash kept a connection open after its disconnect, and the
   * test process with it.
   */
  async collectIds(timeoutMs: number): Promise<number> {
    const consumer: Consumer = this.kafka.consumer({ groupId: `faults-${this.run}-accepted`, maxBytesPerPartition: 4 * 1024 * 1024 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPICS.accepted.name, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const e = JSON.parse(m.value!.toString()) as MessageEnvelope;
            if (e.idempotencyKey && this.requests.has(e.idempotencyKey) && !this.ids.has(e.idempotencyKey)) this.ids.set(e.idempotencyKey, e.id);
          }
        },
      });
      const deadline = Date.now() + timeoutMs;
      while (this.ids.size < this.requests.size && Date.now() < deadline) await sleep(500);
    } finally {
      await consumer.disconnect();
    }
    return this.requests.size - this.ids.size;
  }

  /** Resolves once the burst is all produced. */
  async done(): Promise<void> {
    await this.driver;
  }

  async close(): Promise<void> {
    this.running = false;
    await this.driver;
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  private request(n: number): { event: SendRequestEvent; kind: Kind } {
    const t = this.tenants[n % this.tenants.length]!;
    const kind: Kind = n % RATE === 7 ? 'block' : n % 50 === 11 ? 'fail' : n % 50 === 23 ? 'undeliver' : 'deliver';
    const pool =
      kind === 'block'
        ? t.related
        : kind === 'fail'
          ? t.consented.slice(0, FAILING_RECIPIENTS)
          : kind === 'undeliver'
            ? t.consented.slice(FAILING_RECIPIENTS, 2 * FAILING_RECIPIENTS)
            : t.consented.slice(2 * FAILING_RECIPIENTS);
    const to = pool[Math.floor(n / this.tenants.length) % pool.length]!;
    const body = `${TEMPLATE(t.brand)} Reply STOP to opt out. Ref k${n}`;
    const event: SendRequestEvent = {
      tenantId: t.tenantId,
      idempotencyKey: `${this.run}-${n}`,
      to,
      from: senderOf(t, to),
      brand: t.brand,
      campaign: 'offers',
      useCase: 'marketing',
      body,
    };
    this.requests.set(event.idempotencyKey, { kind, tenant: t, to, body });
    return { event, kind };
  }

  private async drive(): Promise<void> {
    const started = Date.now();
    let next = 0;
    while (this.running && next < RATE * BURST_SECONDS) {
      const due = Math.min(RATE * BURST_SECONDS, Math.floor(((Date.now() - started) / 1000) * RATE));
      const messages: { key: string; value: Buffer }[] = [];
      for (; next < due; next++) {
        const { event } = this.request(next);
        messages.push({ key: `${event.tenantId}|${event.to}`, value: encodeValue(event) });
      }
      // In slices, so that no produce request outgrows the broker's limit after an outage.
      for (let i = 0; i < messages.length; i += 1_000) {
        const slice = messages.slice(i, i + 1_000);
        await persist('producing send requests', () =>
          this.producer!.send({ topic: TOPICS.sendRequests.name, acks: -1, messages: slice }).catch((error: Error) => {
            this.produceRetries++;
            throw error;
          }),
        );
      }
      await sleep(20);
    }
    this.burstSeconds = (Date.now() - started) / 1000;
  }
}

/** Each tenant's refused and unreachable recipients, as faults at the simulator that stay until cleared. */
async function failingRecipients(tenants: LoadTenant[]): Promise<void> {
  for (const t of tenants) {
    for (const to of t.consented.slice(0, FAILING_RECIPIENTS)) await addFault({ to, status: 400, code: 21211 });
    for (const to of t.consented.slice(FAILING_RECIPIENTS, 2 * FAILING_RECIPIENTS)) await addFault({ to, status: 201, code: 30003 });
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

/** Everything the simulator received, read on by arrival number a page at a time. */
interface Received {
  seq: number;
  sid: string;
  to: string;
  body: string;
  statusCallback: string | null;
  direction: string;
}

async function simMessages(): Promise<Received[]> {
  const all: Received[] = [];
  for (;;) {
    const page = (await call<{ messages: Received[] }>(`${sim}/sim/messages?since=${(all.at(-1)?.seq ?? -1) + 1}&limit=10000`)).body.messages;
    all.push(...page);
    if (page.length === 0) return all;
  }
}

/** A process's service and instance number from its name (`intake.2`). */
const serviceOf = (name: string): string => name.split('.')[0]!;
const instanceOf = (name: string): number => Number(name.split('.')[1] ?? 0);

/** The message id the dispatcher put in the status callback URL of a message the simulator received. */
function messageIdOf(statusCallback: string | null): string | null {
  return statusCallback === null ? null : new URL(statusCallback).searchParams.get('m');
}

describe('faults under load: nothing lost, nothing sent twice, the whole history kept', () => {
  let control: StackControl;
  const kafkaLoad = new KafkaLoad(`f${randomUUID().slice(0, 6)}`);
  const log: string[] = [];
  const note = (line: string): void => {
    log.push(`${new Date().toISOString()} ${line}`);
    console.log(`  [faults] ${line}`);
  };

  before(async () => {
    control = await StackControl.create({ instances: INSTANCES });
    assert.deepEqual([...control.services].sort(), [...KILL_ORDER].sort(), 'every service is killed');
    await control.startAll();
  });
  after(async () => {
    await kafkaLoad.close();
    await control?.stopAll();
  });

  // Minutes: the load leaves a backlog that two cores work through between and after the faults.
  it('survives every crash, restart and storm, then accounts for every accepted message', { timeout: 20 * 60_000 }, async () => {
    const started = Date.now();
    let stopper: { tenant: LoadTenant; to: string } | undefined;
    let stopWebhookStatus = 0;
    const tenants = await setUpTenants(stack, await kafkaLoad.connect(), BRANDS, note);
    await failingRecipients(tenants);
    const load = new Load(tenants);
    kafkaLoad.start(tenants);
    load.start();
    note(`load started: ${RATE} send requests a second over Kafka for ${BURST_SECONDS} s, ${WORKERS} HTTP senders throughout; ${INSTANCES} instances of every service`);
    let loadSeconds = 0;

    try {
      await sleep(6_000);
      let t0 = Date.now();
      // Downstream first, so that intake keeps taking the load while the stages behind it crash;
      // every service's first instances, then its second ones.
      const victims = control.processes.sort((a, b) => instanceOf(a) - instanceOf(b) || KILL_ORDER.indexOf(serviceOf(a)) - KILL_ORDER.indexOf(serviceOf(b)));
      for (const name of victims) {
        await control.crashAndRestart(name, 1_000);
        note(`kill -9 ${name}, started again 1 s later (${kafkaLoad.requests.size} requested over Kafka, ${load.accepted.length} accepted over HTTP so far)`);
        await sleep(3_000);
      }
      await control.waitHealthy();
      note(`all healthy again ${Date.now() - t0} ms after the first kill`);
      // 5xx: half refused outright, half taken by "Twilio" although the answer says 500 and still
      // waiting in its queue (no date_sent yet) when the dispatcher looks the send up: it must
      // find those, and not send them again. The storms come while the backlog the burst left is still being sent.
      const storm = Math.max(15, Math.round(RATE / 10));
      const fiveHundreds = [await addFault({ status: 503, code: 20503, times: storm }), await addFault({ status: 500, code: 20500, times: storm, recordMessage: true, queuedMs: 8_000 })];
      note(`5xx storm: ${await stormPasses(fiveHundreds)} fault(s) left unused`);
      const tooMany = [await addFault({ status: 429, code: 20429, times: 2 * storm })];
      note(`429 storm: ${await stormPasses(tooMany)} fault(s) left unused`);
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
    } finally {
      loadSeconds = (Date.now() - started) / 1000;
      await Promise.all([load.stop(), kafkaLoad.done()]);
    }
    note(
      `load stopped: ${kafkaLoad.requests.size} send requests over Kafka in ${kafkaLoad.burstSeconds.toFixed(1)} s (${kafkaLoad.produceRetries} produce calls retried), ` +
        `${load.accepted.length} accepted over HTTP (${load.retries} retried calls, ${load.refused.length} refused), after ${loadSeconds.toFixed(1)} s`,
    );
    assert.deepEqual(load.refused, [], 'intake refused no well-formed request');
    assert.ok(load.accepted.length >= 50, `HTTP senders worth the name: ${load.accepted.length} accepted`);
    assert.equal(kafkaLoad.requests.size, RATE * BURST_SECONDS, 'the whole burst was produced');

    // Intake accepted every send request the upstream produced: none lost, however it crashed.
    await kafkaLoad.close();
    const missing = await kafkaLoad.collectIds(300_000);
    assert.equal(missing, 0, `intake never accepted ${missing} of the ${kafkaLoad.requests.size} send requests produced to Kafka`);
    const accepted: Accepted[] = [...load.accepted, ...[...kafkaLoad.requests].map(([key, r]) => ({ ...r, id: kafkaLoad.ids.get(key)! }))];
    note(`${accepted.length} messages accepted in all`);
    assert.equal(new Set(accepted.map((a) => a.id)).size, accepted.length, 'every send got its own id');

    // Quiescence: every accepted message reaches a terminal state, however long the backlog the
    // load left takes to drain, as long as it keeps draining.
    const views = new Map<string, AuditView>();
    const quiet = Date.now();
    let pending = accepted;
    let progressAt = Date.now();
    // Reads the views of these messages 16 at a time, keeps each one read, and returns the
    // messages whose view is missing or not yet `done`.
    const readViews = async (messages: Accepted[], done: (message: Accepted, view: AuditView) => boolean): Promise<Accepted[]> => {
      const notDone: Accepted[] = [];
      const lookups = pLimit(16);
      await Promise.all(
        messages.map((message) =>
          lookups(async () => {
            const view = await pipeline.history(message.tenant, message.id);
            if (view) views.set(message.id, view);
            if (!view || !done(message, view)) notDone.push(message);
          }),
        ),
      );
      return notDone;
    };
    while (pending.length > 0 && Date.now() - progressAt < 90_000) {
      const next = await readViews(pending, (_, view) => TERMINAL.includes(view.status));
      if (next.length < pending.length) progressAt = Date.now();
      pending = next;
      if (pending.length > 0) await sleep(2_000);
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
    // Audit reads each topic with a consumer of its own, so after a rebalance one can be seconds
    // behind another: a message's terminal status can be recorded before its acceptance and its
    // stages' decisions are (a run of 2026-12-07 read one such view 10 s before the rest was
    // recorded). A view not yet whole is read again, for up to a minute; whatever is still missing
    // then fails the checks below.
    const whole = (message: Accepted, view: AuditView): boolean => view.statuses[0]?.status === 'accepted' && view.decisions.length >= KINDS[message.kind].decisions.length;
    let partial = accepted.filter((message) => !whole(message, views.get(message.id)!));
    const partialAtFirst = partial.length;
    const wholeBy = Date.now() + 60_000;
    while (partial.length > 0 && Date.now() < wholeBy) {
      await sleep(2_000);
      partial = await readViews(partial, whole);
    }
    note(`${partialAtFirst} view(s) not yet whole at their terminal status, read again; ${partial.length} still not whole`);

    // Each accepted message: the outcome it was made for, exactly one terminal status, every
    // stage's decision in pipeline order, and a history that starts at `accepted`.
    const problems: string[] = [];
    const counts: Record<string, number> = {};
    let withoutSending = 0;
    for (const message of accepted) {
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
    const received = await simMessages();
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
    const byId = new Map<string, Received[]>();
    for (const m of received) {
      const id = messageIdOf(m.statusCallback);
      if (m.direction === 'outbound-reply') continue; // Twilio's own answer to a STOP: no message of ours
      if (id === null) {
        problems.push(`the simulator received a message without a message id: ${m.body}`);
        continue;
      }
      byId.set(id, [...(byId.get(id) ?? []), m]);
    }
    const acceptedIds = new Set(accepted.map((a) => a.id));
    // The tenants' set-up: some patients texted STOP before the load, and got their one confirmation.
    const optedOutAtSetUp = new Set(tenants.flatMap((t) => t.optedOut));
    for (const [id, copies] of byId) {
      if (copies.length > 1) problems.push(`message ${id} reached the simulator ${copies.length} times`);
      if (!acceptedIds.has(id) && !confirmationIds.has(id) && !optedOutAtSetUp.has(copies[0]!.to)) problems.push(`the simulator received ${id}, which intake never accepted`);
    }
    for (const message of accepted) {
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
