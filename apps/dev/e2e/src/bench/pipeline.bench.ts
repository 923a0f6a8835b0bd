// `npm run bench`: the whole pipeline under load, against the stack tools/run-bench.mjs --stack
// starts (fresh broker, database and Redis of the test profile; TEST_SLOT picks the ports).
// Figures are printed and written, never asserted; the run fails only when messages go missing
// or end in an outcome their kind should not have.
//
// Phases, in one run: warm-up; a fixed rate (1,000 messages/s) for latency; the highest rate
// the stack sustains; and, on the same broker, two baselines the pipeline is compared to: a bare
// kafkajs relay over five hops (the raw ceiling), and a null pipeline of six hops that each
// decode, validate against the envelope's schema, append a verdict and re-encode a message
// envelope, with side records and an audit-like reader (what the stages cost over plumbing of
// the same size and the envelope's handling). Latency is from intake's acceptance (the envelope's
// acceptedAt) to the simulator's receipt of the Twilio call (its receivedAt). The CPU time
// each process spent per message is measured over the fixed and maximum phases, each until
// the stack is idle again.
//   BENCH_FIXED_RATE (1000), BENCH_FIXED_SECONDS (20), BENCH_MAX_RATE (offered, 8000),
//   BENCH_MAX_SECONDS (10), BENCH_TENANTS (8), BENCH_RELAY_MESSAGES (150000),
//   BENCH_NULL_MESSAGES (a third of the relay's), BENCH_NULL_SIDE_RECORDS (8)
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendVerdict, TOPICS, type MessageEnvelope, type SendRequestEvent, type Stage } from '@sms/contracts';
import { createKafkaClient, decodeValue, encodeValue } from '@sms/kafka';
import { call, testStack, waitFor, type SimMessage, type TestStack } from '@sms/testing';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { chromium } from 'playwright-core';
import { cpuBetween, msPerMessageWithout, sampleCpu, type CpuSample } from './cpu-usage.js';
import { dbBetween, DbWatch, type DbSample } from './db-writes.js';
import { senderOf, SENDERS_PER_TENANT, setUpTenants, type LoadTenant } from '../load-tenants.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '..', '..', '..', '..', '..');
const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The broker, the services and the bench host by name (from tools/run-bench.mjs), and this driver. */
const PROCESSES: Record<string, number> = { ...(JSON.parse(process.env['BENCH_PIDS'] ?? '{}') as Record<string, number>), 'bench driver': process.pid };
/**
 * What stands in for the world outside the gateway: its CPU is reported, never counted in the
 * gateway's own. Everything else is the gateway's: the six services, the broker, PostgreSQL,
 * Redis, and the bench host, which pipes the services' logs and takes their spans (what a log
 * shipper and a trace collector would do beside them).
 */
const OUTSIDE_THE_GATEWAY = ['twilio-simulator', 'bench driver'];

// ---------------------------------------------------------------------------------------------
// The raw relay: one hop of the baseline, run as its own process (each service is one too).

// (started at the end of this file, once every declaration is initialised)

// ---------------------------------------------------------------------------------------------
// The realistic mix.

type Kind = 'reminder' | 'promotion' | 'opted-out' | 'shortener' | 'no-consent' | 'cannabis';
/** What each kind must end as: sent (reached the simulator), or stopped with this decision at this stage. */
const EXPECTED: Record<Kind, { outcome: 'sent' } | { outcome: 'block' | 'hold'; stage: string }> = {
  reminder: { outcome: 'sent' },
  promotion: { outcome: 'sent' },
  'opted-out': { outcome: 'block', stage: 'consent' },
  shortener: { outcome: 'hold', stage: 'content-screening' },
  'no-consent': { outcome: 'block', stage: 'consent' },
  cannabis: { outcome: 'block', stage: 'content-screening' },
};
/**
 * Out of 50 messages: 25 reminders, 17 promotions, 4 promotions to people who texted STOP
 * (blocked, MP.OPTOUT.HONOR) and 4 with a public URL shortener (held for review).
 */
const MIX: Kind[] = [...Array<Kind>(25).fill('reminder'), ...Array<Kind>(17).fill('promotion'), ...Array<Kind>(4).fill('opted-out'), ...Array<Kind>(4).fill('shortener')];
const TENANTS = Math.min(10, num('BENCH_TENANTS', 8)); // one wording of each kind per tenant (below)
const FIXED_RATE = num('BENCH_FIXED_RATE', 1_000);
const FIXED_SECONDS = num('BENCH_FIXED_SECONDS', 20);
const MAX_RATE = num('BENCH_MAX_RATE', 8_000);
const MAX_SECONDS = num('BENCH_MAX_SECONDS', 10);
const WARM_UP = { rate: 300, seconds: 10 };
const PLANNED = WARM_UP.rate * WARM_UP.seconds + FIXED_RATE * FIXED_SECONDS + MAX_RATE * MAX_SECONDS;
/**
 * Real violations (no consent; cannabis, a serious one) are rarer: about 40 per tenant over the
 * run, spread evenly, below the enforcement thresholds that would suspend the tenant (MP.ISV:
 * 100 blocks or 5 serious ones per campaign a day), as on a platform of clinics in good standing.
 */
const VIOLATION_STRIDE = Math.max(50, Math.floor(PLANNED / (TENANTS * 40)));
const violation = (n: number): number | undefined => (n % VIOLATION_STRIDE === 3 ? Math.floor(n / VIOLATION_STRIDE) : undefined);
function kindOf(n: number): Kind {
  const v = violation(n);
  if (v !== undefined) return Math.floor(v / TENANTS) % 20 === 0 ? 'cannabis' : 'no-consent';
  return MIX[(n * 7) % MIX.length]!;
}
const tenantIndex = (n: number): number => (violation(n) ?? n) % TENANTS;
/** One message in 50 comes over HTTP, the rest over Kafka (how high-volume upstreams send). */
const viaHttp = (n: number): boolean => n % 50 === 17;

/**
 * Each clinic writes its own wording: the same template from several tenants is what the
 * snowshoeing detector blocks (cross-tenant, MP.ISV), as it should.
 */
const REMINDERS = [
  (b: string, d: number, h: number) => `${b}: reminder of your visit on Dec ${d} at ${h}:30. Reply C to confirm. Reply STOP to opt out.`,
  (b: string, d: number, h: number) => `${b} here. Dr Patel expects you Dec ${d}, ${h}:00. Please bring your insurance card. Txt STOP to end.`,
  (b: string, d: number, h: number) => `Hi from ${b}! Cleaning booked for December ${d} (${h}am). Running late? Call the front desk. STOP=unsubscribe`,
  (b: string, d: number, h: number) => `${b}: hygienist appointment tomorrow ${h}:15, Dec ${d}. Parking behind building B. Reply STOP to cancel texts.`,
  (b: string, d: number, h: number) => `Your ${b} checkup: ${d} Dec, ${h}:45. Arrive ten minutes early for paperwork. Opt out: reply STOP.`,
  (b: string, d: number, h: number) => `${b} confirms orthodontic adjustment on 12/${d} at ${h}:00 with Dr Kim. Reschedule online. Reply STOP to quit.`,
  (b: string, d: number, h: number) => `Friendly note from ${b}: x-rays and exam Dec ${d} ${h}:20. Masks optional in lobby. Reply STOP to stop msgs.`,
  (b: string, d: number, h: number) => `${b}: kiddo's fluoride visit is set for the ${d}th, ${h}:10. Toys waiting! Reply STOP for no more texts.`,
  (b: string, d: number, h: number) => `Appointment alert (${b}): crown fitting Dec ${d} at ${h}:40, allow one hour. Questions? Call us. Reply STOP to opt-out.`,
  (b: string, d: number, h: number) => `${b} - implant consultation ${d} December ${h}:50, suite 210 second floor. Bring medication list. STOP to unsubscribe.`,
];
const PROMOTIONS = [
  (b: string, d: number, p: number) => `${b}: ${p}% off teeth whitening until Dec ${d}. Book online. Reply STOP to opt out.`,
  (b: string, d: number, p: number) => `${b} winter special: free electric toothbrush with any cleaning through 12/${d}. Save ${p}! Txt STOP to end.`,
  (b: string, d: number, p: number) => `New at ${b}: Invisalign consults now complimentary, ${p} spots left before the ${d}th. STOP=unsubscribe`,
  (b: string, d: number, p: number) => `${b}: refer a friend, both get $${p} credit. Offer ends December ${d}. Reply STOP to cancel texts.`,
  (b: string, d: number, p: number) => `Holiday smiles at ${b}! Veneers ${p}% less when booked by Dec ${d}. Opt out: reply STOP.`,
  (b: string, d: number, p: number) => `${b} family plan: kids' sealants half price, ${p} families joined. Enrol by 12/${d}. Reply STOP to quit.`,
  (b: string, d: number, p: number) => `Use your remaining insurance benefits at ${b} before year end! ${p} evening slots open until the ${d}th. Reply STOP to stop msgs.`,
  (b: string, d: number, p: number) => `${b}: sports mouthguards custom fitted, $${p} this month only (ends Dec ${d}). Reply STOP for no more texts.`,
  (b: string, d: number, p: number) => `Gum health week at ${b}: deep cleaning ${p}% discount through December ${d}. Call to reserve. Reply STOP to opt-out.`,
  (b: string, d: number, p: number) => `${b} loyalty members: bonus ${p} points on every visit till Dec ${d}. Check the app. STOP to unsubscribe.`,
];

function body(kind: Kind, t: LoadTenant, n: number): string {
  const day = 1 + (n % 28);
  const hour = 8 + (n % 9);
  switch (kind) {
    case 'reminder':
      return REMINDERS[t.index % REMINDERS.length]!(t.brand, day, hour);
    case 'promotion':
    case 'opted-out':
    case 'no-consent':
      return PROMOTIONS[t.index % PROMOTIONS.length]!(t.brand, day, 10 + (n % 4) * 5);
    case 'cannabis':
      return `${t.brand}: relax before your visit with our CBD gummies! Reply STOP to opt out.`;
    case 'shortener':
      return `${t.brand}: see our new patient offers at https://bit.ly/3xYz${(n % 90) + 10} Reply STOP to opt out.`;
  }
}

/** A well-mixed 32-bit hash of n (MurmurHash3's finaliser): no residue of n shows through. */
function scatter(n: number): number {
  let h = n >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function request(t: LoadTenant, n: number, run: string): SendRequestEvent {
  const kind = kindOf(n);
  const pool = kind === 'reminder' ? [...t.consented, ...t.related] : kind === 'no-consent' ? t.related : kind === 'opted-out' ? t.optedOut : t.consented;
  // Recipients in a scattered order, as appointments fall: walking the list in order (several
  // messages each, back to back) made one partition's batch carry a few patients' senders only,
  // which the snowshoe detector's rotation measure, counting arrival order, took for rotation.
  const to = pool[scatter(n) % pool.length]!;
  const from = senderOf(t, to);
  const reminder = kind === 'reminder';
  return {
    tenantId: t.tenantId,
    idempotencyKey: `${run}-${n}`,
    to,
    from,
    brand: t.brand,
    campaign: reminder ? 'reminders' : 'offers',
    useCase: reminder ? 'informational' : 'marketing',
    body: body(kind, t, n),
  };
}

// ---------------------------------------------------------------------------------------------
// Watching outcomes: acceptance on sms.accepted.v1, stops on sms.stopped.v1, sends at the simulator.

interface Track {
  n: number;
  id?: string;
  /** Refused over HTTP for good (never accepted). */
  refused?: boolean;
  acceptedAt?: number;
  doneAt?: number;
  outcome?: string;
  stage?: string;
}

class Observer {
  readonly byKey = new Map<string, Track>();
  readonly byId = new Map<string, Track>();
  private readonly pendingSims = new Map<string, number>();
  private readonly pendingStops = new Map<string, { at: number; outcome: string; stage: string }>();
  /** When each stage passed a message (its verdicts on sms.cleared.v1), by message id. */
  readonly stageTimes = new Map<string, Partial<Record<Stage, number>>>();
  private consumers: Consumer[] = [];
  private simSeq = 0;
  private polling = true;
  private poller: Promise<void> | undefined;
  duplicates = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly simUrl: string,
    private readonly run: string,
  ) {}

  async start(): Promise<void> {
    const accepted = this.kafka.consumer({ groupId: `bench-${this.run}-accepted`, maxBytesPerPartition: 4 * 1024 * 1024 });
    const stopped = this.kafka.consumer({ groupId: `bench-${this.run}-stopped`, maxBytesPerPartition: 4 * 1024 * 1024 });
    const cleared = this.kafka.consumer({ groupId: `bench-${this.run}-cleared`, maxBytesPerPartition: 4 * 1024 * 1024 });
    this.consumers = [accepted, stopped, cleared];
    await Promise.all(this.consumers.map((c) => c.connect()));
    await accepted.subscribe({ topic: TOPICS.accepted.name, fromBeginning: true });
    await stopped.subscribe({ topic: TOPICS.stopped.name, fromBeginning: true });
    await cleared.subscribe({ topic: TOPICS.cleared.name, fromBeginning: true });
    await cleared.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const e = JSON.parse(m.value!.toString()) as MessageEnvelope;
          this.stageTimes.set(e.id, Object.fromEntries(e.verdicts.map((v) => [v.stage, Date.parse(v.at)])));
        }
      },
    });
    await accepted.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const e = JSON.parse(m.value!.toString()) as MessageEnvelope;
          const track = e.idempotencyKey ? this.byKey.get(e.idempotencyKey) : undefined;
          if (!track) continue;
          if (track.acceptedAt !== undefined) continue; // the outbox relay's republish, or a redelivery
          track.acceptedAt = Date.parse(e.acceptedAt);
          track.id = e.id;
          this.byId.set(e.id, track);
          const sim = this.pendingSims.get(e.id);
          if (sim !== undefined) this.sent(track, sim);
          const stop = this.pendingStops.get(e.id);
          if (stop) this.stopped(track, stop);
        }
      },
    });
    await stopped.run({
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        for (const m of batch.messages) {
          const e = JSON.parse(m.value!.toString()) as MessageEnvelope;
          const last = e.verdicts.at(-1);
          const stop = { at, outcome: last?.decision ?? 'unknown', stage: last?.stage ?? 'unknown' };
          const track = this.byId.get(e.id);
          if (track) this.stopped(track, stop);
          else this.pendingStops.set(e.id, stop);
        }
      },
    });
    this.poller = this.poll();
  }

  private sent(track: Track, at: number): void {
    if (track.doneAt !== undefined) {
      this.duplicates++;
      return;
    }
    track.doneAt = at;
    track.outcome = 'sent';
  }

  private stopped(track: Track, stop: { at: number; outcome: string; stage: string }): void {
    if (track.doneAt !== undefined) return; // a redelivered stop
    Object.assign(track, { doneAt: stop.at, outcome: stop.outcome, stage: stop.stage });
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      const answer = await call<{ messages: SimMessage[] }>(`${this.simUrl}/sim/messages?since=${this.simSeq}&limit=20000`);
      for (const m of answer.body.messages) {
        this.simSeq = m.seq + 1;
        const id = m.statusCallback ? new URL(m.statusCallback).searchParams.get('m') : null;
        if (!id) continue;
        const at = Date.parse(m.receivedAt);
        const track = this.byId.get(id);
        if (track) this.sent(track, at);
        else this.pendingSims.set(id, at);
      }
      if (answer.body.messages.length < 20_000) await sleep(200);
    }
  }

  async stop(): Promise<void> {
    this.polling = false;
    await this.poller;
    await Promise.all(this.consumers.map((c) => c.disconnect()));
  }
}

// ---------------------------------------------------------------------------------------------
// Driving: an open-loop source at a given rate (it does not wait for the pipeline).

interface Phase {
  name: string;
  rate: number;
  seconds: number;
  first: number;
  last: number;
  startedAt: number;
  endedAt: number;
}

/** Send requests per produce call of the driver (about 400 KB). */
const DRIVE_SLICE = 1_000;

async function drive(
  name: string,
  rate: number,
  seconds: number,
  state: { next: number; run: string; tenants: LoadTenant[]; producer: Producer; stack: TestStack; observer: Observer; http: Set<Promise<void>>; httpFailures: number; httpRetries: number },
): Promise<Phase> {
  const first = state.next;
  const total = Math.round(rate * seconds);
  const startedAt = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - startedAt) / 1000) * rate));
    if (due > sent) {
      const messages: { key: string; value: Buffer }[] = [];
      for (; sent < due; sent++) {
        const n = state.next++;
        const t = state.tenants[tenantIndex(n)]!;
        const r = request(t, n, state.run);
        state.observer.byKey.set(r.idempotencyKey, { n });
        if (viaHttp(n)) {
          const { tenantId: _tenant, idempotencyKey, ...bodyOfRequest } = r;
          const track = state.observer.byKey.get(idempotencyKey)!;
          // An upstream retries what was not answered 202, with the same Idempotency-Key.
          const p = (async () => {
            for (let attempt = 0; attempt < 6; attempt++) {
              const answer = await call(`${state.stack.urls.intake}/v1/messages`, { apiKey: t.apiKey, headers: { 'idempotency-key': idempotencyKey }, body: bodyOfRequest }).catch(() => undefined);
              if (answer?.status === 202) return;
              if (answer && answer.status < 500 && answer.status !== 429) break;
              state.httpRetries++;
              await sleep(200 * 2 ** attempt);
            }
            state.httpFailures++;
            track.refused = true;
          })();
          state.http.add(p);
          void p.finally(() => state.http.delete(p));
        } else {
          messages.push({ key: `${r.tenantId}|${r.to}`, value: encodeValue(r) });
        }
      }
      // The schedule is by elapsed time: a slow acknowledgement is caught up on the next tick.
      // After a stall a tick holds thousands of messages: sent in slices, so that no partition's
      // batch grows past the broker's 1 MiB limit for one produce.
      for (let i = 0; i < messages.length; i += DRIVE_SLICE) {
        await state.producer.send({ topic: TOPICS.sendRequests.name, acks: -1, messages: messages.slice(i, i + DRIVE_SLICE) });
      }
    }
    await sleep(5);
  }
  return { name, rate, seconds, first, last: state.next - 1, startedAt, endedAt: Date.now() };
}

/** Cores the stack (not this driver) used in a CPU window. */
const stackCores = (window: ReturnType<typeof cpuBetween>): number => window.byProcess.filter((p) => p.process !== 'bench driver').reduce((sum, p) => sum + p.cores, 0);

/**
 * Waits until the stack uses less than `cores` again (status callbacks and the audit trail
 * come after the last send), for at most a minute, and samples CPU then: a phase's window
 * holds all the work it caused.
 */
async function settledSample(cores: number): Promise<CpuSample> {
  let last = sampleCpu(PROCESSES);
  for (let i = 0; i < 60; i++) {
    await sleep(1_000);
    const next = sampleCpu(PROCESSES);
    const busy = stackCores(cpuBetween(last, next, 0));
    last = next;
    if (busy < cores) break;
  }
  return last;
}

/** Audit's history appends so far: transactions, and the records they carried (its metrics). */
async function auditAppends(stack: TestStack): Promise<{ transactions: number; records: number }> {
  const text = await (await fetch(`${stack.urls.audit}/metrics`)).text();
  const value = (name: string): number =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(' ')[1] ?? NaN,
    );
  return { transactions: value('sms_audit_append_records_count'), records: value('sms_audit_append_records_sum') };
}

/** Records so far: produced to each of the pipeline's topics (their end offsets) and consumed by each consumer group (its committed offsets). */
interface RecordCounts {
  produced: Record<string, number>;
  consumed: Record<string, number>;
}

async function recordCounts(admin: Admin): Promise<RecordCounts> {
  const produced: Record<string, number> = {};
  const existing = new Set(await admin.listTopics());
  for (const { name } of Object.values(TOPICS)) if (existing.has(name)) produced[name] = (await admin.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high), 0);
  const consumed: Record<string, number> = {};
  for (const { groupId } of (await admin.listGroups()).groups) {
    if (groupId.startsWith('bench')) continue; // this driver's own consumers and the baselines'
    const offsets = await admin.fetchOffsets({ groupId });
    consumed[groupId] = offsets.reduce((sum, t) => sum + t.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0), 0);
  }
  return { produced, consumed };
}

/** Records produced per topic and consumed per group, per message, in a window (those with none left out). */
function recordsBetween(before: RecordCounts, after: RecordCounts, messages: number): { produced: Record<string, number>; consumed: Record<string, number> } {
  const per = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(a).flatMap(([k, v]) => (v - (b[k] ?? 0) > 0 ? [[k, Number(((v - (b[k] ?? 0)) / messages).toFixed(2))]] : [])));
  return { produced: per(after.produced, before.produced), consumed: per(after.consumed, before.consumed) };
}

/** A settled CPU sample (see settledSample), with the database's, audit's and Kafka's counts at that moment. */
interface Snapshot {
  cpu: CpuSample;
  db: DbSample;
  audit: { transactions: number; records: number };
  records: RecordCounts;
}

async function snapshot(stack: TestStack, db: DbWatch, admin: Admin, cores: number): Promise<Snapshot> {
  const cpu = await settledSample(cores);
  return { cpu, db: await db.sample(), audit: await auditAppends(stack), records: await recordCounts(admin) };
}

/** Audit's append transactions per message and records per transaction in a window. */
function auditBetween(before: Snapshot, after: Snapshot, messages: number): { transactionsPerMessage: number; recordsPerMessage: number; recordsPerTransaction: number } {
  const transactions = after.audit.transactions - before.audit.transactions;
  const records = after.audit.records - before.audit.records;
  return {
    transactionsPerMessage: Number((transactions / messages).toFixed(3)),
    recordsPerMessage: Number((records / messages).toFixed(2)),
    recordsPerTransaction: Number((records / transactions).toFixed(1)),
  };
}

// ---------------------------------------------------------------------------------------------
// Figures.

const pct = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

/** Completions per second over the steady part (the 10th to the 90th percentile of completion times). */
function sustained(doneTimes: number[]): number {
  const sorted = [...doneTimes].sort((a, b) => a - b);
  if (sorted.length < 10) return NaN;
  const lo = pct(sorted, 10);
  const hi = pct(sorted, 90);
  return hi > lo ? (0.8 * sorted.length) / ((hi - lo) / 1000) : NaN;
}

/** The hops of a sent message: from the stage before to this one's verdict (the dispatcher's: the simulator's receipt). */
const HOPS: Stage[] = ['consent', 'content-screening', 'snowshoeing-detector', 'dispatcher'];

function phaseFigures(phase: Phase, tracks: Track[], stageTimes: Map<string, Partial<Record<Stage, number>>>) {
  const mine = tracks.filter((t) => t.n >= phase.first && t.n <= phase.last);
  const hops = HOPS.map(() => [] as number[]);
  for (const t of mine) {
    const times = t.outcome === 'sent' && t.id ? stageTimes.get(t.id) : undefined;
    if (!times || t.acceptedAt === undefined) continue;
    const at = [t.acceptedAt, times.consent, times['content-screening'], times['snowshoeing-detector'], t.doneAt];
    HOPS.forEach((_, i) => {
      const [from, to] = [at[i], at[i + 1]];
      if (from !== undefined && to !== undefined) hops[i]!.push(to - from);
    });
  }
  const hopLatencyMs = Object.fromEntries(
    HOPS.map((hop, i) => {
      const sorted = hops[i]!.sort((a, b) => a - b);
      return [hop, { p50: pct(sorted, 50), p99: pct(sorted, 99) }];
    }),
  );
  const latencies = mine
    .filter((t) => t.outcome === 'sent' && t.acceptedAt !== undefined)
    .map((t) => t.doneAt! - t.acceptedAt!)
    .sort((a, b) => a - b);
  const stopLatencies = mine
    .filter((t) => t.outcome !== 'sent' && t.acceptedAt !== undefined && t.doneAt !== undefined)
    .map((t) => t.doneAt! - t.acceptedAt!)
    .sort((a, b) => a - b);
  const done = mine.filter((t) => t.doneAt !== undefined).map((t) => t.doneAt!);
  const offered = mine.length / ((phase.endedAt - phase.startedAt) / 1000);
  return {
    phase: phase.name,
    messages: mine.length,
    offeredPerSecond: Math.round(offered),
    sustainedPerSecond: Math.round(sustained(done)),
    sent: latencies.length,
    sendLatencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99), max: latencies.at(-1) ?? NaN },
    stopLatencyMs: { p50: pct(stopLatencies, 50), p99: pct(stopLatencies, 99) },
    /** Where a sent message's latency was spent: from the stage before to each stage's verdict. */
    hopLatencyMs,
  };
}

function perSecond(tracks: Track[], origin: number): { second: number; accepted: number; completed: number }[] {
  const rows = new Map<number, { second: number; accepted: number; completed: number }>();
  const row = (s: number) => rows.get(s) ?? rows.set(s, { second: s, accepted: 0, completed: 0 }).get(s)!;
  for (const t of tracks) {
    if (t.acceptedAt !== undefined) row(Math.floor((t.acceptedAt - origin) / 1000)).accepted++;
    if (t.doneAt !== undefined) row(Math.floor((t.doneAt - origin) / 1000)).completed++;
  }
  return [...rows.values()].sort((a, b) => a.second - b.second);
}

// ---------------------------------------------------------------------------------------------
// The baselines: kafkajs hops on the same broker. The bare relay forwards each record as it is
// (five hops); the null pipeline has six hops that handle the envelope as a stage does (decode,
// validate, append a verdict, re-encode), side records beside them (the statuses and analyst
// records the pipeline writes: BENCH_NULL_SIDE_RECORDS per message, 8 by default, so that it
// produces about as many records per message as the pipeline), and a reader that decodes the
// first and last topic and the side records, as audit reads acceptances and final envelopes.

type BaselineResult = { messages: number; sustainedPerSecond: number; seconds: number; hops: number; recordsProducedPerMessage: number; recordsConsumedPerMessage: number };

async function relayBaseline(kafka: Kafka, stack: TestStack, sample: Buffer, total: number, mode: { hops: number; envelopes: boolean; sideRecords: number }): Promise<BaselineResult> {
  const prefix = `bench.${mode.envelopes ? 'null' : 'relay'}.${randomBytes(3).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  const topics = Array.from({ length: mode.hops + 1 }, (_, i) => `${prefix}.${i}`);
  const side = `${prefix}.side`;
  await admin.createTopics({ waitForLeaders: true, topics: [...topics, side].map((topic) => ({ topic, numPartitions: TOPICS.accepted.partitions, replicationFactor: 1 })) });
  const children: ChildProcess[] = [];
  const sink = kafka.consumer({ groupId: `${prefix}.sink`, maxBytesPerPartition: 1024 * 1024 });
  const reader = kafka.consumer({ groupId: `${prefix}.reader`, maxBytesPerPartition: 1024 * 1024 });
  try {
    for (let hop = 0; hop < mode.hops; hop++) {
      const child = fork(SELF, [], {
        env: {
          ...process.env,
          BENCH_RELAY_HOP: String(hop),
          BENCH_RELAY_BROKERS: stack.kafkaBrokers.join(','),
          BENCH_RELAY_PREFIX: prefix,
          BENCH_RELAY_ENVELOPES: mode.envelopes ? '1' : '',
          // This hop's share of the side records per message.
          BENCH_RELAY_SIDE: String(Math.floor(((hop + 1) * mode.sideRecords) / mode.hops) - Math.floor((hop * mode.sideRecords) / mode.hops)),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      await new Promise<void>((ready, fail) => {
        child.once('message', () => ready());
        child.once('exit', (code) => fail(new Error(`relay hop ${hop} exited with ${code}`)));
      });
    }
    const arrivals: number[] = [];
    let read = 0;
    await sink.connect();
    await sink.subscribe({ topic: topics[mode.hops]!, fromBeginning: true });
    await sink.run({
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        for (let i = 0; i < batch.messages.length; i++) arrivals.push(at);
      },
    });
    if (mode.envelopes) {
      await reader.connect();
      await reader.subscribe({ topics: [topics[0]!, topics[mode.hops]!, side], fromBeginning: true });
      await reader.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) if (batch.topic === side ? JSON.parse(m.value!.toString()) !== null : decodeValue(TOPICS.accepted, m.value).ok) read++;
        },
      });
    }
    await sleep(5_000); // every group has its partitions
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const started = Date.now();
    for (let i = 0; i < total; i += 1_000) {
      const messages = Array.from({ length: Math.min(1_000, total - i) }, (_, k) => ({ key: `r${i + k}`, value: sample }));
      await producer.send({ topic: topics[0]!, acks: -1, messages });
    }
    await producer.disconnect();
    await waitFor(`the ${mode.hops} hops to carry every message`, async () => (arrivals.length >= total && (!mode.envelopes || read >= (2 + mode.sideRecords) * total) ? true : undefined), {
      timeoutMs: 600_000,
    });
    return {
      messages: arrivals.length,
      sustainedPerSecond: Math.round(sustained(arrivals)),
      seconds: (Math.max(...arrivals.slice(-1)) - started) / 1000,
      hops: mode.hops,
      recordsProducedPerMessage: mode.hops + 1 + mode.sideRecords,
      recordsConsumedPerMessage: mode.hops + 1 + (mode.envelopes ? 2 + mode.sideRecords : 0),
    };
  } finally {
    await sink.disconnect();
    if (mode.envelopes) await reader.disconnect();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
    await admin.deleteTopics({ topics: [...topics, side] });
    await admin.disconnect();
  }
}

/** An accepted envelope as intake writes it, with a consent receipt: what the null pipeline's hops handle. */
function sampleEnvelope(t: LoadTenant, run: string): MessageEnvelope {
  const r = request(t, 0, run);
  return {
    schema: 'sms.envelope',
    version: 1,
    id: randomUUID(),
    tenantId: r.tenantId,
    kind: 'standard',
    idempotencyKey: r.idempotencyKey,
    channel: 'kafka',
    acceptedAt: new Date().toISOString(),
    message: { to: r.to, from: r.from, brand: r.brand, campaign: r.campaign, useCase: r.useCase, body: r.body },
    recipient: { country: 'US', region: 'CA', timeZone: 'America/Los_Angeles' },
    consent: { basis: 'express', recordId: randomUUID(), wordingVersion: 'v1', decidedAt: new Date().toISOString(), firstMessage: false },
    verdicts: [],
  };
}

// ---------------------------------------------------------------------------------------------
// The chart: an HTML page with Chart.js and a PNG of it.

async function writeChart(file: string, result: Record<string, unknown>, timeline: { second: number; accepted: number; completed: number }[]): Promise<void> {
  const chartJs = readFileSync(join(ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.js'), 'utf8');
  const html = `<!doctype html><meta charset="utf-8"><title>Pipeline benchmark</title>
<style>body{font:14px sans-serif;margin:16px;width:1100px}canvas{margin-bottom:16px}</style>
<h2>Pipeline benchmark ${String(result['at'])}</h2>
<canvas id="timeline" width="1100" height="320"></canvas>
<div style="display:flex;gap:16px"><canvas id="throughput" width="540" height="300"></canvas><canvas id="latency" width="540" height="300"></canvas></div>
<script>${chartJs}</script>
<script>
const result = ${JSON.stringify(result)};
const timeline = ${JSON.stringify(timeline)};
Chart.defaults.animation = false;
new Chart(document.getElementById('timeline'), { type: 'line', data: { labels: timeline.map((r) => r.second),
  datasets: [{ label: 'accepted by intake /s', data: timeline.map((r) => r.accepted), borderColor: '#888', pointRadius: 0 },
             { label: 'reached a terminal decision or the simulator /s', data: timeline.map((r) => r.completed), borderColor: '#1f77b4', pointRadius: 0 }] },
  options: { responsive: false, plugins: { title: { display: true, text: 'Messages per second over the run' } }, scales: { x: { title: { display: true, text: 's' } } } } });
new Chart(document.getElementById('throughput'), { type: 'bar', data: { labels: ['pipeline (max phase)', 'bare kafkajs relay, 5 hops'],
  datasets: [{ label: 'messages/s', data: [result.maxPhase.sustainedPerSecond, result.relay.sustainedPerSecond], backgroundColor: ['#1f77b4', '#aaa'] }] },
  options: { responsive: false, plugins: { title: { display: true, text: 'Sustained throughput (ratio ' + result.ratio + ')' } } } });
const phases = [result.fixedPhase, result.maxPhase];
new Chart(document.getElementById('latency'), { type: 'bar', data: { labels: ['p50', 'p95', 'p99'],
  datasets: phases.map((p, i) => ({ label: p.phase + ' (' + p.offeredPerSecond + '/s offered)', data: [p.sendLatencyMs.p50, p.sendLatencyMs.p95, p.sendLatencyMs.p99], backgroundColor: ['#2ca02c', '#d62728'][i] })) },
  options: { responsive: false, plugins: { title: { display: true, text: 'Latency, intake acceptance to simulator receipt (ms)' } }, scales: { y: { type: 'logarithmic' } } } });
</script>`;
  writeFileSync(`${file}.html`, html);
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1140, height: 760 } });
    await page.goto(`file://${file}.html`);
    await page.screenshot({ path: `${file}.png`, fullPage: true });
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const stack = testStack();
  const run = `b${randomBytes(3).toString('hex')}`;
  const kafka = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'pipeline-bench', log: quiet });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const tenants = await setUpTenants(
    stack,
    producer,
    Array.from({ length: TENANTS }, (_, i) => `Clinic ${i + 1} Dental`),
  );
  const observer = new Observer(kafka, stack.urls['twilio-simulator'], run);
  await observer.start();
  const state = { next: 0, run, tenants, producer, stack, observer, http: new Set<Promise<void>>(), httpFailures: 0, httpRetries: 0 };
  const origin = Date.now();
  const progress = setInterval(() => {
    const tracks = [...observer.byKey.values()];
    console.log(
      `  ${Math.round((Date.now() - origin) / 1000)} s: ${tracks.length} produced, ${tracks.filter((t) => t.acceptedAt !== undefined).length} accepted, ${tracks.filter((t) => t.doneAt !== undefined).length} done`,
    );
  }, 5_000);

  // What the stack costs doing nothing (pollers, timers, idle fetches), to read the phases' figures against.
  const idleFrom = await settledSample(0.5);
  await sleep(10_000);
  const idle = cpuBetween(idleFrom, sampleCpu(PROCESSES), 0);
  const idleCores = Number(stackCores(idle).toFixed(2));
  const dbWatch = await DbWatch.start(stack.databaseUrl);
  const countsAdmin = kafka.admin();
  await countsAdmin.connect();
  const settled = () => snapshot(stack, dbWatch, countsAdmin, idleCores + 0.1);
  const phases: Phase[] = [];
  console.log(`warm-up: ${WARM_UP.rate}/s for ${WARM_UP.seconds} s`);
  phases.push(await drive('warm-up', WARM_UP.rate, WARM_UP.seconds, state));
  await sleep(5_000);
  console.log(`fixed rate: ${FIXED_RATE}/s for ${FIXED_SECONDS} s`);
  const beforeFixed = await settled();
  phases.push(await drive('fixed', FIXED_RATE, FIXED_SECONDS, state));
  await waitFor('the fixed phase to drain', async () => ([...observer.byKey.values()].every((t) => t.doneAt !== undefined || t.refused) ? true : undefined), {
    timeoutMs: 300_000,
    intervalMs: 500,
  }).catch(() => undefined);
  const afterFixed = await settled();
  console.log(`maximum: ${MAX_RATE}/s offered for ${MAX_SECONDS} s`);
  const beforeMax = afterFixed;
  phases.push(await drive('max', MAX_RATE, MAX_SECONDS, state));
  await Promise.all([...state.http]);

  // Drain: every message must reach its outcome; stop waiting once nothing moved for 150 s
  // (longer than a claim's lease, after which the dispatcher's reconciler settles claims a
  // lost database connection left behind).
  let lastDone = -1;
  let still = Date.now();
  for (;;) {
    const done = [...observer.byKey.values()].filter((t) => t.doneAt !== undefined || t.refused).length;
    if (done === observer.byKey.size) break;
    if (done !== lastDone) [lastDone, still] = [done, Date.now()];
    if (Date.now() - still > 150_000) break;
    await sleep(1_000);
  }
  const afterMax = await settled(); // late duplicates, if any, show up meanwhile
  await dbWatch.stop();
  clearInterval(progress);
  await observer.stop();

  const tracks = [...observer.byKey.values()];
  const missing = tracks.filter((t) => t.doneAt === undefined);
  const wrong = tracks.filter((t) => {
    if (t.doneAt === undefined) return false;
    const expected = EXPECTED[kindOf(t.n)];
    return expected.outcome === 'sent' ? t.outcome !== 'sent' : t.outcome !== expected.outcome || t.stage !== expected.stage;
  });
  const outcomes: Record<string, Record<string, number>> = {};
  for (const t of tracks) {
    const kind = kindOf(t.n);
    const label = t.doneAt === undefined ? (t.acceptedAt === undefined ? 'not accepted' : 'missing') : t.outcome === 'sent' ? 'sent' : `${t.outcome} at ${t.stage}`;
    (outcomes[kind] ??= {})[label] = (outcomes[kind]?.[label] ?? 0) + 1;
  }

  console.log('relay baseline: five hops of a bare kafkajs relay on the same broker');
  const sample = encodeValue({ ...request(tenants[0]!, 0, run), padding: 'x'.repeat(900) }); // about an envelope's size
  const relay = await relayBaseline(kafka, stack, sample, num('BENCH_RELAY_MESSAGES', 150_000), { hops: 5, envelopes: false, sideRecords: 0 });
  console.log('null pipeline: six hops that decode, validate, append a verdict and re-encode the envelope, with side records, and an audit-like reader');
  const nullPipeline = await relayBaseline(kafka, stack, encodeValue(sampleEnvelope(tenants[0]!, run)), num('BENCH_NULL_MESSAGES', Math.round(num('BENCH_RELAY_MESSAGES', 150_000) / 3)), {
    hops: 6,
    envelopes: true,
    sideRecords: num('BENCH_NULL_SIDE_RECORDS', 8),
  });
  await producer.disconnect();

  const fixedPhase = phaseFigures(phases[1]!, tracks, observer.stageTimes);
  const maxPhase = phaseFigures(phases[2]!, tracks, observer.stageTimes);
  const ratio = Number((maxPhase.sustainedPerSecond / relay.sustainedPerSecond).toFixed(3));
  const nullRatio = Number((maxPhase.sustainedPerSecond / nullPipeline.sustainedPerSecond).toFixed(3));
  const cpuFixed = cpuBetween(beforeFixed.cpu, afterFixed.cpu, fixedPhase.messages);
  const cpuMax = cpuBetween(beforeMax.cpu, afterMax.cpu, maxPhase.messages);
  const cpu = {
    idleCores,
    idle: idle.byProcess,
    fixed: cpuFixed,
    max: cpuMax,
    gatewayMsPerMessage: { fixed: msPerMessageWithout(cpuFixed, OUTSIDE_THE_GATEWAY), max: msPerMessageWithout(cpuMax, OUTSIDE_THE_GATEWAY) },
  };
  const records = { fixed: recordsBetween(beforeFixed.records, afterFixed.records, fixedPhase.messages), max: recordsBetween(beforeMax.records, afterMax.records, maxPhase.messages) };
  await countsAdmin.disconnect();
  const database = {
    fixed: { ...dbBetween(beforeFixed.db, afterFixed.db, fixedPhase.messages), audit: auditBetween(beforeFixed, afterFixed, fixedPhase.messages) },
    max: { ...dbBetween(beforeMax.db, afterMax.db, maxPhase.messages), audit: auditBetween(beforeMax, afterMax, maxPhase.messages) },
  };
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length },
    tenants: tenants.length,
    shortCodes: tenants.length * SENDERS_PER_TENANT,
    messages: tracks.length,
    viaHttp: tracks.filter((t) => viaHttp(t.n)).length,
    httpFailures: state.httpFailures,
    httpRetries: state.httpRetries,
    outcomes,
    missing: missing.length,
    wrongOutcome: wrong.length,
    duplicateSends: observer.duplicates,
    warmUp: phaseFigures(phases[0]!, tracks, observer.stageTimes),
    fixedPhase,
    maxPhase,
    relay,
    ratio,
    nullPipeline,
    nullRatio,
    cpu,
    database,
    records,
    targets: { sustainedPerSecond: 2_000, ratio: 0.25, p99MsAt500PerSecond: 150, p99MsAt1000PerSecond: 400, gatewayCpuMsPerMessage: 0.8 },
  };
  console.table(
    [result.warmUp, fixedPhase, maxPhase].map((p) => ({
      phase: p.phase,
      messages: p.messages,
      'offered/s': p.offeredPerSecond,
      'sustained/s': p.sustainedPerSecond,
      'p50 ms': p.sendLatencyMs.p50,
      'p95 ms': p.sendLatencyMs.p95,
      'p99 ms': p.sendLatencyMs.p99,
      'max ms': p.sendLatencyMs.max,
    })),
  );
  console.log('where a sent message waited (p50 / p99 ms from the stage before to each stage):');
  console.table([result.warmUp, fixedPhase, maxPhase].map((p) => ({ phase: p.phase, ...Object.fromEntries(Object.entries(p.hopLatencyMs).map(([hop, l]) => [hop, `${l.p50} / ${l.p99}`])) })));
  console.table([
    {
      'pipeline sustained/s': maxPhase.sustainedPerSecond,
      'relay sustained/s': relay.sustainedPerSecond,
      ratio,
      'null pipeline sustained/s': nullPipeline.sustainedPerSecond,
      'ratio to it': nullRatio,
    },
  ]);
  console.log(
    `records per message: bare relay ${relay.recordsProducedPerMessage} produced, ${relay.recordsConsumedPerMessage} consumed; null pipeline ${nullPipeline.recordsProducedPerMessage} produced, ${nullPipeline.recordsConsumedPerMessage} consumed`,
  );
  console.log(
    `CPU per message in the maximum phase (${cpu.max.messages} messages, ${cpu.max.seconds} s to idle again; machine ${cpu.max.machine.busyPercent}% busy, ${cpu.max.machine.stealPercent}% stolen):`,
  );
  console.table(cpu.max.byProcess.map((p) => ({ process: p.process, 'CPU s': p.cpuSeconds, 'ms/message': p.msPerMessage, cores: p.cores })));
  console.log(`total ${cpu.max.msPerMessage} ms of CPU per message (fixed phase: ${cpu.fixed.msPerMessage} ms); the stack idle uses ${idleCores} cores`);
  const outside = OUTSIDE_THE_GATEWAY.map((name) => `${name} ${cpu.max.byProcess.find((p) => p.process === name)?.msPerMessage ?? 0} ms`).join(', ');
  console.log(
    `the gateway's own processes (the services, the broker, PostgreSQL, Redis, the bench host's log piping and trace sink): ${cpu.gatewayMsPerMessage.max} ms of CPU per message (target 0.8; fixed phase: ${cpu.gatewayMsPerMessage.fixed} ms); apart: ${outside}`,
  );
  for (const [phase, w] of Object.entries(database)) {
    console.log(
      `database writes per message in the ${phase} phase (${w.commitsPerMessage} commits per message, all services; audit: ${w.audit.transactionsPerMessage} append transactions of ${w.audit.recordsPerTransaction} records on average); PostgreSQL's CPU ms per message by the service it served: ${JSON.stringify(w.backendMsPerMessage)}`,
    );
    console.table(w.bySchema.flatMap((s) => s.tables.map((t) => ({ table: `${s.schema}.${t.table}`, inserted: t.inserted, updated: t.updated, 'of them HOT': t.hotUpdated, deleted: t.deleted }))));
  }
  for (const [phase, r] of Object.entries(records)) {
    const sum = (o: Record<string, number>): string =>
      Object.values(o)
        .reduce((a, b) => a + b, 0)
        .toFixed(2);
    console.log(`Kafka records per message in the ${phase} phase: ${sum(r.produced)} produced, ${sum(r.consumed)} consumed`);
    console.table([
      ...Object.entries(r.produced).map(([topic, n]) => ({ 'produced to': topic, 'consumed by': '', records: n })),
      ...Object.entries(r.consumed).map(([group, n]) => ({ 'produced to': '', 'consumed by': group, records: n })),
    ]);
  }
  console.log('outcomes by kind:', JSON.stringify(outcomes));

  const dir = join(ROOT, '.local', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pipeline-${result.at.replace(/[:.]/g, '-')}`);
  writeFileSync(`${file}.json`, `${JSON.stringify({ ...result, timeline: perSecond(tracks, origin) }, null, 2)}\n`);
  await writeChart(file, result, perSecond(tracks, origin));
  console.log(`written: ${file}.json, .html, .png`);

  if (missing.length > 0 || wrong.length > 0 || observer.duplicates > 0 || state.httpFailures > 0) {
    console.error(`FAILED: ${missing.length} message(s) missing, ${wrong.length} with the wrong outcome, ${observer.duplicates} sent twice, ${state.httpFailures} HTTP requests refused`);
    for (const t of [...missing, ...wrong].slice(0, 10)) console.error(`  #${t.n} ${kindOf(t.n)}: ${JSON.stringify(t)}`);
    process.exit(1);
  }
  process.exit(0);
}

async function relayHop(): Promise<void> {
  const hop = Number(process.env['BENCH_RELAY_HOP']);
  const [brokers, prefix] = [process.env['BENCH_RELAY_BROKERS']!.split(','), process.env['BENCH_RELAY_PREFIX']!];
  const kafka = createKafkaClient({ brokers, clientId: `relay-${hop}`, log: quiet });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  // The services' settings (libs/kafka): 1 MiB per partition and fetch, at most 1,000 records a produce request.
  const consumer = kafka.consumer({ groupId: `${prefix}.relay-${hop}`, maxBytesPerPartition: 1024 * 1024 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}.${hop}`, fromBeginning: true });
  consumer.on(consumer.events.CRASH, (event) => console.error(`relay hop ${hop} crashed: ${String(event.payload.error)}`));
  // The bare relay forwards the batch as it came; the null pipeline's hop handles each envelope as
  // a stage does (decode, validate, append a verdict, re-encode). Then the offsets commit.
  const envelopes = process.env['BENCH_RELAY_ENVELOPES'] === '1';
  const sidePerMessage = Number(process.env['BENCH_RELAY_SIDE'] ?? 0);
  const stage: Stage = (['consent', 'content-screening', 'snowshoeing-detector', 'snowshoeing-detector', 'dispatcher', 'dispatcher'] as const)[hop % 6]!;
  const handle = (value: Buffer | null): Buffer | null => {
    if (!envelopes) return value;
    const decoded = decodeValue(TOPICS.accepted, value);
    if (!decoded.ok) throw new Error(`null pipeline hop ${hop}: ${decoded.message}`);
    return encodeValue(
      appendVerdict(decoded.value, { stage, decision: 'pass', clauses: ['MP.CONSENT.PRIOR'], reason: 'null pipeline: passes every message', facts: {}, at: new Date().toISOString() }),
    );
  };
  await consumer.run({
    eachBatch: async ({ batch }) => {
      // Produce requests of at most 1,000 records and 512 KiB (one partition's records stay together, under the broker's 1 MiB).
      let chunk: { key: Buffer | null; value: Buffer | null }[] = [];
      let sideChunk: { key: Buffer | null; value: Buffer }[] = [];
      let bytes = 0;
      const flush = async (): Promise<void> => {
        const topicMessages = [
          { topic: `${prefix}.${hop + 1}`, messages: chunk },
          { topic: `${prefix}.side`, messages: sideChunk },
        ].filter((t) => t.messages.length > 0);
        if (topicMessages.length > 0) await producer.sendBatch({ acks: -1, topicMessages });
        [chunk, sideChunk, bytes] = [[], [], 0];
      };
      for (const m of batch.messages) {
        const value = handle(m.value);
        if (chunk.length === 1_000 || bytes + (value?.length ?? 0) > 512 * 1024) await flush();
        chunk.push({ key: m.key, value });
        bytes += value?.length ?? 0;
        for (let k = 0; k < sidePerMessage; k++) {
          const record = encodeValue({ hop, k, key: m.key?.toString() ?? null, stage, decision: 'pass', at: new Date().toISOString() });
          sideChunk.push({ key: m.key, value: record });
          bytes += record.length;
        }
      }
      await flush();
    },
  });
  process.send?.('ready');
  process.on(
    'SIGTERM',
    () =>
      void consumer
        .disconnect()
        .then(() => producer.disconnect())
        .finally(() => process.exit(0)),
  );
}

if (process.env['BENCH_RELAY_HOP'] !== undefined) await relayHop();
else await main();
