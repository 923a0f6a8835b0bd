import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import type { OutgoingRecord } from '@sms/kafka';
import { injectContext, SpanKind, SpanStatusCode, tracer, type Context } from '@sms/tracing';
import { backoffDelay, Batcher, sleep } from '@sms/util';
import pLimit, { type LimitFunction } from 'p-limit';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import type { RateBucket } from '../rules/sender-rate.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { classifySendError, retryAfterMs, type SendFailure } from '../rules/twilio-errors.js';
import { TwilioGateway, type OutgoingSms, type TwilioCallError, type TwilioMessageRef } from '../twilio/twilio-gateway.js';
import type { ClaimedSend } from './claim-round.repository.js';
import { ClaimLease } from './claim-lease.js';
import { DispatchOutbox } from './dispatch-outbox.js';
import { DispatchPolicy } from './dispatch-policy.js';
import type { OutboxRow } from './outbox.repository.js';
import { OptOutScreen } from './opt-out-screen.js';
import { contextOf, failedStatus, scheduledStatus, sendingStatus, stoppedRecord } from './outcome-records.js';
import { SendLedgerRepository, type AdmitAnswer, type AdmitRequest, type SendOutcome } from './send-ledger.repository.js';
import { SendPauses, type PausedFor } from './send-pauses.service.js';
import type { SendRow } from './send-row.js';
import { Counter, register } from 'prom-client';

/** sms_twilio_errors_total{code, kind}: Twilio's refusals by error code (runbook: twilio-errors). */
const twilioErrors =
  (register.getSingleMetric('sms_twilio_errors_total') as Counter<'code' | 'kind'> | undefined) ??
  new Counter({ name: 'sms_twilio_errors_total', help: "Twilio's refusals of sends, by error code and what the dispatcher did (retry, in-doubt, final)", labelNames: ['code', 'kind'] as const });

/**
 * A claimed message is taken out a little before its slot for the opt-out check (the call
 * itself waits for the slot): twice what that check takes lately, within these bounds. A fixed
 * 250 ms made every message of an idle sender wait about 240 ms after a check of 10.
 */
const PREPARE_MS = { min: 20, max: 250 };
/** Claimed messages are taken out in windows of this length, so that one opt-out query serves many. */
const FIRE_WINDOW_MS = 50;
/**
 * How far ahead of the call the limiter may book its start. The booked wait is spent holding a
 * slot of the call pool (so that the call starts when booked), so it is kept short: a sender
 * booked further ahead is asked again later, outside the pool. 250 ms here capped an instance
 * near MAX_CONCURRENT_SENDS / 0.125 s once a fast sender's messages came due together.
 */
const ADMIT_AHEAD_MS = 25;
/** Later than this after its slot, a call is logged: it narrows the gap to the next send of its sender. */
const LATE_WARNING_MS = 50;
/** Backoff of a message Twilio did not take (paced again when it is due). */
const RETRY = { initialMs: 500, maxMs: 30_000, multiplier: 2 };
/** Backoff of every call from this instance after a 429: the account is over its API rate. */
const RATE_LIMITED = { initialMs: 250, maxMs: 10_000, multiplier: 2 };

/** Twilio's code for a From outside the sender pool of the MessagingServiceSid given with it. */
const SENDER_OUTSIDE_POOL = 21711;

/** Twilio's answer to one call: the SID, or why not; or no call, as sending is paused for the message. */
type CallAnswer = { sid: string } | { failure: SendFailure } | { paused: PausedFor };

interface Pending {
  row: SendRow;
  startMs: number;
  buckets: RateBucket[];
  /** When the limiter let the call start (database clock). */
  startedAtMs: number | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Sends claimed messages at their pacing slot: the last-moment opt-out check, one call to
 * Twilio through a bounded pool, and the outcome written under the claim (same attempt) before
 * anything is published. A message Twilio did not take goes back to the queue; one that Twilio
 * may have taken (5xx, lost connection) is looked up first and never simply sent again.
 */
@Injectable()
export class SendEngine {
  private readonly logger = new Logger(SendEngine.name);
  private readonly calls: LimitFunction;
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Set<Promise<void>>();
  private fired: Pending[] = [];
  private flushScheduled = false;
  private pausedUntil = 0;
  private rateLimitedInARow = 0;
  private late = { count: 0, maxMs: 0, since: 0 };
  /** How long the opt-out check before calls takes lately (moving average, ms). */
  private checkMs = PREPARE_MS.max / 2;
  private readonly outcomes: Batcher<SendOutcome, OutboxRow[] | null>;
  /** The limiter's check right before calls, batched: see SendLedgerRepository.admit. */
  private readonly admissions: Batcher<AdmitRequest, AdmitAnswer>;

  constructor(
    @Inject(SendLedgerRepository) private readonly ledger: SendLedgerRepository,
    @Inject(TwilioGateway) private readonly twilio: TwilioGateway,
    @Inject(OptOutScreen) private readonly optOuts: OptOutScreen,
    @Inject(DispatchOutbox) private readonly outbox: DispatchOutbox,
    @Inject(DispatchPolicy) private readonly policy: DispatchPolicy,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(SendPauses) private readonly pauses: SendPauses,
    @Inject(ClaimLease) private readonly lease: ClaimLease,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    this.calls = pLimit(config.MAX_CONCURRENT_SENDS);
    this.outcomes = new Batcher(
      async (list) => {
        const written = await this.ledger.complete(list);
        return list.map((o) => written.get(o.messageId) ?? null);
      },
      { maxItems: 500, maxConcurrent: 2 },
    );
    this.admissions = new Batcher((list) => this.ledger.admit(list, ADMIT_AHEAD_MS), { maxItems: 500, maxConcurrent: 1 });
  }

  /** Takes this instance's lease on its claims: before the first claim. */
  async start(): Promise<void> {
    await this.lease.start();
  }

  /** The instance that holds this engine's claims (`sends.claimed_by`). */
  get instanceId(): string {
    return this.lease.instanceId;
  }

  /**
   * The claims this engine still works on: waiting for their slot, the opt-out check, the pool,
   * the call or the writing of their outcome. A claim of this instance's that is not among them
   * was given up (Twilio unreachable for a lookup, a failed batch) and is the reconciler's.
   */
  held(): string[] {
    return [...this.pending.keys()];
  }

  /** Whether this engine still works on the claim. */
  holds(messageId: string): boolean {
    return this.pending.has(messageId);
  }

  /** Claimed messages waiting for their slot or their call. */
  get load(): number {
    return this.pending.size;
  }

  /** How long before its slot a claimed message is taken out for the opt-out check. */
  get prepareMs(): number {
    return Math.min(PREPARE_MS.max, Math.max(PREPARE_MS.min, 2 * this.checkMs));
  }

  schedule(claimed: ClaimedSend[]): void {
    for (const c of claimed) {
      const item: Pending = { row: c.row, startMs: c.startMs, buckets: c.buckets, startedAtMs: null, timer: null };
      this.pending.set(c.row.messageId, item);
      const at = Math.floor((c.startMs - this.prepareMs) / FIRE_WINDOW_MS) * FIRE_WINDOW_MS;
      item.timer = setTimeout(() => this.fire(item), Math.max(0, at - Date.now()));
    }
  }

  /** Stops taking claims: those not yet started go back to the queue; calls in flight finish. */
  async drain(): Promise<void> {
    const waiting = [...this.pending.values()].filter((p) => p.timer !== null);
    for (const p of waiting) {
      clearTimeout(p.timer!);
      this.pending.delete(p.row.messageId);
    }
    if (waiting.length > 0) {
      await this.ledger
        .requeue(waiting.map((p) => ({ messageId: p.row.messageId, attempts: p.row.attempts, dueAt: new Date(), reason: 'put back at shutdown' })))
        .catch((error: Error) => this.logger.warn({ message: 'putting claims back at shutdown failed; the reconciler will', error: error.message }));
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.lease.stop();
  }

  private fire(item: Pending): void {
    item.timer = null;
    this.fired.push(item);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.fired;
      this.fired = [];
      this.track(this.startBatch(batch));
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: Error) => this.logger.error({ message: 'dispatching a batch failed; its claims are settled by the reconciler', error: error.message }));
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  /** The opt-out check again for every message whose slot came, in one or two queries, then the calls. */
  private async startBatch(batch: Pending[]): Promise<void> {
    const checking = performance.now();
    let stopped: Awaited<ReturnType<OptOutScreen['stopped']>>;
    try {
      stopped = await this.optOuts.stopped(batch.map((p) => ({ messageId: p.row.messageId, tenantId: p.row.tenantId, recipientToken: p.row.recipientToken ?? '', envelope: p.row.envelope })));
    } catch (error) {
      // Given up: the claims are the reconciler's (looked up at Twilio, then queued again).
      for (const p of batch) this.pending.delete(p.row.messageId);
      throw error;
    }
    this.checkMs = 0.8 * this.checkMs + 0.2 * (performance.now() - checking);
    const outcomes: SendOutcome[] = [];
    for (const p of batch) {
      const verdict = stopped.get(p.row.messageId);
      if (!verdict) {
        this.track(this.send(p));
        continue;
      }
      outcomes.push({
        messageId: p.row.messageId,
        attempts: p.row.attempts,
        state: verdict.decision === 'hold' ? 'held' : 'blocked',
        twilioSid: null,
        errorCode: null,
        errorMessage: verdict.reason,
        startedAtMs: null,
        records: [stoppedRecord(p.row.envelope, verdict, p.row.recipientToken ?? '', contextOf(p.row.traceparent))],
      });
    }
    if (outcomes.length === 0) return;
    try {
      const written = await this.ledger.complete(outcomes);
      await this.outbox.publish([...written.values()].flat());
    } finally {
      for (const o of outcomes) this.pending.delete(o.messageId);
    }
  }

  /** One attempt at Twilio for a claimed message, and its outcome. */
  private async send(p: Pending): Promise<void> {
    const { row } = p;
    const ctx = contextOf(row.traceparent);
    try {
      // A From outside the pool of the MessagingServiceSid given with it: Twilio would refuse the
      // pair (21711), and no other sender may be chosen for the message; it is never sent.
      const outside = this.policy.senderOutsidePool(row.envelope);
      if (outside) {
        await this.settle({ messageId: row.messageId, attempts: row.attempts, state: 'failed', twilioSid: null, errorCode: SENDER_OUTSIDE_POOL, errorMessage: outside, startedAtMs: null }, [
          failedStatus(row.envelope, { code: SENDER_OUTSIDE_POOL, message: null, reason: outside, clauses: [] }, ctx),
        ]);
        return;
      }
      // The slot is waited for outside the pool: the pool bounds calls in flight, not messages waiting.
      if (p.startMs > Date.now()) await sleep(p.startMs - Date.now());
      const sms = this.outgoing(row.envelope, ctx);
      let answer: CallAnswer | null = null;
      for (;;) {
        const turn = await this.calls(async (): Promise<{ answer: CallAnswer | null } | { retryInMs: number }> => {
          // While the account is rate limited (429), wait (the instance's lease keeps the claim).
          for (let wait = this.pausedUntil - Date.now(); wait > 0; wait = this.pausedUntil - Date.now()) await sleep(wait);
          // Paused meanwhile (its sender, the account, or this instance's credentials): no call.
          const paused = this.pauses.blocking(row.senderKey);
          if (paused) return { answer: { paused } };
          const admission = await this.admit(p);
          if ('gone' in admission) return { answer: null };
          if (!admission.go) return { retryInMs: admission.retryInMs };
          return { answer: await this.call(p, sms, ctx) };
        });
        if ('answer' in turn) {
          answer = turn.answer;
          break;
        }
        // The sender's limiter is booked further ahead: wait outside the pool, so that a busy
        // sender's messages never hold the calls of the others (head-of-line blocking).
        await sleep(turn.retryInMs);
      }
      // Writing the outcome and publishing it happen after the call has left the pool: the
      // pool bounds calls to Twilio, and a slot held through two more round trips would cap
      // the sends per second at MAX_CONCURRENT_SENDS / (call + ledger write + publish).
      if (answer) await this.conclude(p, sms, answer, ctx);
    } finally {
      this.pending.delete(row.messageId);
    }
  }

  /** The call itself, its span and error classification. */
  private async call(p: Pending, sms: OutgoingSms, ctx: Context): Promise<CallAnswer> {
    const { row } = p;
    const span = tracer().startSpan('twilio messages.create', { kind: SpanKind.CLIENT, attributes: { 'sms.message_id': row.messageId, 'sms.attempt': row.attempts } }, ctx);
    try {
      const sent = await this.twilio.send(sms);
      this.rateLimitedInARow = 0;
      span.setAttribute('twilio.sid', sent.sid);
      span.end();
      return { sid: sent.sid };
    } catch (error) {
      const refused = error as TwilioCallError;
      const failure = classifySendError(this.rules.twilioErrors, refused, { retryAfterMs: retryAfterMs(refused.retryAfter, Date.now()) });
      twilioErrors.inc({ code: String(failure.code ?? 'network'), kind: failure.kind });
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.reason });
      if (failure.code !== null) span.setAttribute('twilio.error_code', failure.code);
      span.end();
      if (failure.kind === 'retry' && failure.rateLimited) this.rateLimited(failure.retryAfterMs);
      return { failure };
    }
  }

  /** What Twilio's answer means for the ledger: written under the claim, then published. */
  private async conclude(p: Pending, sms: OutgoingSms, answer: CallAnswer, ctx: Context): Promise<void> {
    const { row } = p;
    if ('sid' in answer) {
      await this.settle({ messageId: row.messageId, attempts: row.attempts, state: 'accepted', twilioSid: answer.sid, errorCode: null, errorMessage: null, startedAtMs: p.startedAtMs }, [
        sendingStatus(row.envelope, answer.sid, ctx),
      ]);
      return;
    }
    if ('paused' in answer) {
      await this.putBackPaused(p, answer.paused, ctx);
      return;
    }
    const { failure } = answer;
    if (failure.kind === 'pause') {
      // About the account, the sender or the credentials, not this message: it waits with the others.
      const paused = await this.pauses.hit(failure.pause, failure.code, row.senderKey, row.tenantId, ctx);
      await this.putBackPaused(p, paused, ctx);
      return;
    }
    if (failure.kind === 'final') {
      await this.settle({ messageId: row.messageId, attempts: row.attempts, state: 'failed', twilioSid: null, errorCode: failure.code, errorMessage: failure.reason, startedAtMs: p.startedAtMs }, [
        failedStatus(row.envelope, { code: failure.code, message: failure.twilioMessage, reason: failure.reason, clauses: failure.clauses }, ctx),
      ]);
      return;
    }
    if (failure.kind === 'in-doubt') {
      // A look-up is a call to Twilio too: through the pool.
      const found = await this.calls(() => this.lookUp(row, sms)).catch(() => undefined);
      if (found === undefined) {
        // Twilio cannot be asked now: the claim stays, and the reconciler looks it up when its lease runs out.
        this.logger.warn({ message: 'send in doubt and Twilio unreachable for the lookup; left to the reconciler', messageId: row.messageId });
        return;
      }
      if (found) {
        if (await this.settleFound(row, found.sid, p.startedAtMs)) this.logger.log({ message: 'send in doubt found at Twilio; not sent again', messageId: row.messageId });
        return;
      }
    }
    // Attempts a pause answered were never the message's fault: they do not count.
    const counted = row.attempts - row.pausedAttempts;
    if (counted >= this.config.SEND_MAX_ATTEMPTS) {
      const reason = `gave up after ${counted} attempts: ${failure.reason}`;
      await this.settle({ messageId: row.messageId, attempts: row.attempts, state: 'failed', twilioSid: null, errorCode: failure.code, errorMessage: reason, startedAtMs: p.startedAtMs }, [
        failedStatus(row.envelope, { code: failure.code, message: null, reason, clauses: ['AUP.SERVICE_LIMITS'] }, ctx),
      ]);
      return;
    }
    this.logger.warn({ message: 'Twilio did not take the message; queued again', messageId: row.messageId, attempt: counted, reason: failure.reason });
    // Not before the Retry-After Twilio gave with a 429, when it gave one.
    const retryAfter = failure.kind === 'retry' ? (failure.retryAfterMs ?? 0) : 0;
    await this.putBack(p, failure.reason, Math.max(retryAfter, backoffDelay(counted - 1, RETRY)));
  }

  /**
   * Back in the queue, as an attempt a pause answered (not counted against SEND_MAX_ATTEMPTS),
   * due when the pause ends, and published as `scheduled` with the pause's reason.
   */
  private async putBackPaused(p: Pending, paused: PausedFor, ctx: Context): Promise<void> {
    const { row } = p;
    const scheduled = scheduledStatus(row.envelope, paused.untilMs === null ? null : paused.dueAt, paused.reason, paused.clauses, ctx);
    const back = await this.ledger.requeue([{ messageId: row.messageId, attempts: row.attempts, dueAt: paused.dueAt, reason: paused.reason.slice(0, 500), paused: true, records: [scheduled] }]);
    await this.outbox.publish(back.get(row.messageId) ?? []);
  }

  /**
   * The message Twilio took for a send in doubt, if any: one to the same recipient with the same
   * body and sender since the send was queued that no other send in the ledger holds (the same
   * reminder sent twice must never settle with the other's message); null when there is none.
   */
  async lookUp(row: SendRow, sms: OutgoingSms): Promise<TwilioMessageRef | null> {
    const candidates = await this.twilio.findSent(sms, row.createdAt);
    const held = await this.ledger.heldSids(candidates.map((c) => c.sid));
    return candidates.find((c) => !held.has(c.sid)) ?? null;
  }

  /**
   * Writes a send in doubt as taken with the message a lookup found, then publishes it; false
   * when the claim was taken over or another send took that message meanwhile (the claim then
   * stays in doubt, and the reconciler looks again).
   */
  async settleFound(row: SendRow, twilioSid: string, startedAtMs: number | null): Promise<boolean> {
    const written = await this.ledger.settleFound(row.messageId, row.attempts, twilioSid, startedAtMs, [sendingStatus(row.envelope, twilioSid, contextOf(row.traceparent))]);
    if (!written) return false;
    await this.outbox.publish(written);
    return true;
  }

  private async putBack(p: Pending, reason: string, delayMs: number): Promise<void> {
    await this.ledger.requeue([{ messageId: p.row.messageId, attempts: p.row.attempts, dueAt: new Date(Date.now() + delayMs), reason: reason.slice(0, 500) }]);
  }

  /** Writes the outcome under the claim with its records (the outbox), then publishes them; a claim lost meanwhile publishes nothing. */
  private async settle(outcome: SendOutcome, records: OutgoingRecord[]): Promise<void> {
    const written = await this.outcomes.add({ ...outcome, records });
    if (!written) {
      this.logger.error({ message: 'outcome of a send not written: its claim was taken over', messageId: outcome.messageId, state: outcome.state });
      return;
    }
    await this.outbox.publish(written);
  }

  /** A 429: every call of this instance waits, with backoff, and at least as long as Twilio's Retry-After when it sent one. */
  private rateLimited(retryAfter: number | null): void {
    this.rateLimitedInARow++;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + Math.max(retryAfter ?? 0, backoffDelay(this.rateLimitedInARow - 1, RATE_LIMITED)));
  }

  /**
   * Asks the limiter whether the call may start (never before the rate allows): yes, after at
   * most ADMIT_AHEAD_MS, waited here, inside the pool, so the call starts when it was booked;
   * or not yet; or never: the same transaction hands the message to Twilio, unless it was
   * cancelled (or the claim taken over) before.
   */
  private async admit(p: Pending): Promise<{ go: true } | { go: false; retryInMs: number } | { go: false; gone: true }> {
    const answer = await this.admissions.add({ messageId: p.row.messageId, attempts: p.row.attempts, buckets: p.buckets, segments: p.row.segments });
    if ('gone' in answer) {
      this.logger.log({ message: 'claim cancelled or taken over before the call; not sending', messageId: p.row.messageId });
      return answer;
    }
    if (!answer.go) return answer;
    if (answer.waitMs > 0) await sleep(answer.waitMs);
    p.startedAtMs = answer.startAtMs;
    const late = Date.now() - p.startMs;
    if (late > LATE_WARNING_MS) this.noteLate(late);
    return { go: true };
  }

  /** Calls later than planned (the instance is overloaded, or calls queue for the pool): one line every 10 s at most. */
  private noteLate(lateMs: number): void {
    this.late.count++;
    this.late.maxMs = Math.max(this.late.maxMs, lateMs);
    if (Date.now() - this.late.since < 10_000) return;
    this.logger.warn({ message: 'calls started after their planned slot (the limiter still held the rate)', count: this.late.count, maxLateMs: this.late.maxMs });
    this.late = { count: 0, maxMs: 0, since: Date.now() };
  }

  outgoing(envelope: MessageEnvelope, ctx: Context): OutgoingSms {
    const callback = new URL('/twilio/status', this.config.STATUS_CALLBACK_BASE_URL);
    callback.searchParams.set('m', envelope.id);
    callback.searchParams.set('t', envelope.tenantId);
    const traceparent = injectContext(ctx)['traceparent'];
    if (traceparent) callback.searchParams.set('tp', traceparent);
    return {
      to: envelope.message.to,
      from: envelope.message.from,
      messagingServiceSid: envelope.message.messagingServiceSid,
      body: envelope.message.body,
      statusCallback: callback.toString(),
    };
  }
}
