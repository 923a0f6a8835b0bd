import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AlertEvent, MessageEnvelope, Verdict } from '@sms/contracts';
import { countSegments, Pseudonymizer } from '@sms/domain';
import { record, type OutgoingRecord } from '@sms/kafka';
import { injectContext, type Context } from '@sms/tracing';
import { DataSource } from 'typeorm';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { TwilioGateway } from '../twilio/twilio-gateway.js';
import { localTime } from '../rules/local-time.js';
import { PacingBook } from '../rules/pacing.js';
import { planClaims, type ClaimPlan } from '../rules/plan-claims.js';
import { ClaimRoundRepository, type ClaimRoundDecision, type ClaimRoundState, type DueSend } from './claim-round.repository.js';
import { DispatchOutbox } from './dispatch-outbox.js';
import { DispatchPolicy } from './dispatch-policy.js';
import { contextOf, failedStatus, scheduledStatus, sendingStatus, stoppedRecord } from './outcome-records.js';
import { OptOutScreen } from './opt-out-screen.js';
import { OutboxRepository, type Outgoing } from './outbox.repository.js';
import { SendEngine } from './send-engine.js';
import { SendLedgerRepository, type NewSend } from './send-ledger.repository.js';
import { SendPauses } from './send-pauses.service.js';
import type { SendRow } from './send-row.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { pauseFor } from '../rules/twilio-errors.js';
import { releasesDispatcherHold } from '../rules/released-hold.js';

export interface ClearedItem {
  envelope: MessageEnvelope;
  context: Context;
}

/**
 * The dispatcher's queue. Cleared messages are written to it at once (due now, at their
 * sendAt, or after the recipient's quiet hours), so consuming never waits for pacing and a
 * deferral survives restarts. A pump claims due messages sender by sender at the rate each may
 * send, from any instance: the ledger's primary key and the claim make each go out once.
 */
@Injectable()
export class SendQueueService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SendQueueService.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Messages were queued by this instance since the current round began: look again at once. */
  private queuedMeanwhile = false;
  /**
   * How long claim rounds that found messages take lately. Slots are planned at least twice
   * that far ahead (plus the time to prepare a call), so that a claimed message is not already
   * late when the round commits: a late start would bring it closer to the next slot of its
   * sender, which another instance may hold. At light load that is about 100 ms.
   */
  private roundMs = 100;

  constructor(
    @Inject(SendLedgerRepository) private readonly ledger: SendLedgerRepository,
    @Inject(ClaimRoundRepository) private readonly claimRounds: ClaimRoundRepository,
    @Inject(OutboxRepository) private readonly outboxRows: OutboxRepository,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(DispatchPolicy) private readonly policy: DispatchPolicy,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(SendEngine) private readonly engine: SendEngine,
    @Inject(OptOutScreen) private readonly optOuts: OptOutScreen,
    @Inject(TwilioGateway) private readonly twilio: TwilioGateway,
    @Inject(DispatchOutbox) private readonly outbox: DispatchOutbox,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(SendPauses) private readonly pauses: SendPauses,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Open a few pool connections and the SDK's first request now, so that the first sends do
    // not pay for them; the request also tells whether Twilio accepts the credentials.
    const [, probe] = await Promise.all([this.ledger.warmUp(4), this.twilio.probe(), this.engine.start()]);
    const refused = pauseFor(this.rules.twilioErrors, 20003);
    if (probe === 'refused' && refused) await this.pauses.credentialsRefusedAtStart(refused, 20003);
    this.running = true;
    this.loop = this.pump();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.engine.drain();
  }

  /**
   * Queues cleared messages, with what queuing decided (deferrals, holds) in the outbox, and
   * publishes that; returns what to publish again for redeliveries: every record written for a
   * message already in the ledger (its known outcomes, in order; idempotent downstream).
   */
  async accept(items: ClearedItem[]): Promise<OutgoingRecord[]> {
    const now = Date.now();
    const sends: NewSend[] = [];
    for (const { envelope, context } of items) {
      const schedule = this.policy.initialSchedule(envelope, now);
      const records: OutgoingRecord[] = [];
      if (schedule.kind === 'deferred') records.push(scheduledStatus(envelope, new Date(schedule.dueAtMs), schedule.reason, schedule.clauses, context));
      if (schedule.kind === 'hold') {
        records.push(
          stoppedRecord(
            envelope,
            { stage: 'dispatcher', decision: 'hold', clauses: schedule.clauses, reason: schedule.reason, facts: {} },
            this.pseudonyms.token(envelope.tenantId, envelope.message.to),
            context,
          ),
        );
      }
      sends.push({
        envelope,
        senderKey: this.policy.plan(envelope).senderKey,
        segments: countSegments(envelope.message.body).segments,
        recipientToken: this.pseudonyms.token(envelope.tenantId, envelope.message.to),
        traceparent: injectContext(context)['traceparent'] ?? null,
        dueAt: new Date(schedule.kind === 'hold' ? now : schedule.dueAtMs),
        deferral: schedule.kind === 'now' ? null : schedule.reason,
        held: schedule.kind === 'hold',
        priority: answersThePerson(envelope) ? 0 : 1,
        records,
      });
    }
    const { queued, cancelled, outbox } = await this.ledger.enqueue(sends);
    // Held here and released by a reviewer: queued again, and checked again like any message.
    const released = await this.ledger.release(items.map((i) => i.envelope).filter((e) => !queued.has(e.id) && !cancelled.has(e.id) && releasesDispatcherHold(e)));
    if (queued.size + released.size > 0) {
      this.queuedMeanwhile = true;
      this.wake?.();
    }
    await this.outbox.publish(outbox);

    // Cancelled before it came: the cancellation was published when it was requested.
    const redelivered = items.map((i) => i.envelope.id).filter((id) => !queued.has(id) && !cancelled.has(id) && !released.has(id));
    if (redelivered.length === 0) return [];
    // Already in the ledger: what was decided for it again, never a second send.
    const written = await this.outboxRows.outboxOf(redelivered);
    const out: OutgoingRecord[] = [];
    for (const row of await this.ledger.find(redelivered.filter((id) => !written.has(id)))) {
      // Queued before the outbox existed: its state stands for its outcome.
      const known = knownOutcome(row);
      if (known) out.push(known);
    }
    return [...[...written.values()].flat(), ...out];
  }

  private async pump(): Promise<void> {
    while (this.running) {
      let more = false;
      // A message queued while this round runs may be too new for it: the next round looks at once.
      this.queuedMeanwhile = false;
      try {
        more = await this.round();
      } catch (error) {
        this.logger.error({ message: 'claim round failed; trying again', error: (error as Error).message });
        await this.idle(1_000);
        continue;
      }
      if (!more && !this.queuedMeanwhile) await this.idle(this.config.PUMP_IDLE_MS);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * One claim round, in one transaction: lock a few senders with due messages (skipping
   * senders another instance holds), read their due messages, screen them, lock the limiter
   * rows and daily counters they count against (in a fixed order, so that instances never
   * deadlock), plan, and write what was decided. The sender locks make N instances share the
   * senders; the limiter row locks make the rates hold across them. True when there may be
   * more to claim right away.
   */
  async round(): Promise<boolean> {
    if (this.engine.load >= this.config.MAX_CLAIMED_IN_MEMORY) return false;
    // Credentials Twilio refuses: claim nothing (other instances may have working ones).
    if (this.pauses.credentialsRefused) return false;
    const now = Date.now();
    const prepareMs = this.engine.prepareMs;
    const lead = Math.min(this.config.PACING_LOOKAHEAD_MS / 2, prepareMs + 2 * this.roundMs);
    const result = await this.db.transaction(async (tx) => {
      const senders = await this.claimRounds.lockDueSenders(tx, new Date(now + this.config.PACING_LOOKAHEAD_MS), this.config.PUMP_SENDERS_PER_ROUND);
      if (senders.length === 0) return { claimed: [], outbox: [], senders: 0, due: [], messages: 0 };
      const due = await this.claimRounds.dueMessages(tx, senders, new Date(now), this.config.PUMP_MESSAGES_PER_SENDER);
      // A STOP frees the slots of the messages queued behind it: they are blocked (a pause: held) before they are paced.
      const stopped = await this.optOuts.stopped(due.map((m) => ({ ...m, tenantId: m.envelope.tenantId })));
      const state: ClaimRoundState = { messages: due.filter((m) => !stopped.has(m.messageId)), freeAt: new Map(), dailyCounts: new Map(), queuedAtTwilioMs: new Map() };
      if (state.messages.length > 0) {
        const { buckets, counters } = this.locksFor(state.messages, now);
        state.freeAt = await this.claimRounds.lockBuckets(tx, buckets);
        state.dailyCounts = await this.claimRounds.lockCounters(tx, counters);
        state.queuedAtTwilioMs = await this.claimRounds.queuedAtTwilio(tx, senders, this.rules.senderRates.queueWindowSeconds);
      }
      const pacing = new PacingBook(state.freeAt);
      const plan = planClaims({
        messages: state.messages,
        nowMs: now + lead,
        horizonMs: this.config.PACING_LOOKAHEAD_MS,
        pacing,
        dailyCounts: state.dailyCounts,
        queuedAtTwilioMs: state.queuedAtTwilioMs,
        queueWindowMs: this.rules.senderRates.queueWindowSeconds * 1000,
        plan: (e) => this.policy.plan(e),
        quietHours: (e, at) => this.policy.quietHours(e, at),
        toPolicyMs: (ms) => this.policy.clock.toPolicyMs(ms),
        toRealMs: (ms) => this.policy.clock.toRealMs(ms),
      });
      const claimed = await this.claimRounds.writeDecision(tx, senders, toDecision(plan, pacing, state, stopped), this.engine.instanceId);
      // What the round decided (blocked, held, deferred, alerts) commits with it.
      const outbox = await this.outboxRows.write(tx, this.roundRecords(plan, state.messages, stopped, due));
      return { claimed, outbox, senders: senders.length, due, messages: state.messages.length };
    });
    if (result.messages > 0) this.roundMs = 0.8 * this.roundMs + 0.2 * (Date.now() - now);
    // A message planned at the earliest the plan allows (its sender had nothing booked) has no
    // slot to keep: it goes as soon as it is checked. The limiter books its real start right
    // before the call, so its sender's next slots, planned from that earliest time, can only be
    // later than they had to be.
    const earliest = now + lead;
    const claimed = result.claimed.map((c) => (c.startMs <= earliest ? { ...c, startMs: Date.now() } : c));
    const late = claimed.filter((c) => c.startMs > earliest && c.startMs - prepareMs < Date.now());
    if (late.length > 0) this.logger.warn({ message: 'claimed messages already at their slot when the round ended; planning further ahead', count: late.length, roundMs: Date.now() - now });
    this.engine.schedule(claimed);
    await this.outbox.publish(result.outbox);
    const perSender = new Map<string, number>();
    for (const m of result.due) perSender.set(m.senderKey, (perSender.get(m.senderKey) ?? 0) + 1);
    return result.senders >= this.config.PUMP_SENDERS_PER_ROUND || [...perSender.values()].some((n) => n >= this.config.PUMP_MESSAGES_PER_SENDER);
  }

  /** The limiter rows and daily counters the due messages count against. */
  private locksFor(due: DueSend[], now: number): { buckets: string[]; counters: string[] } {
    const buckets: string[] = [];
    const counters: string[] = [];
    for (const m of due) {
      const plan = this.policy.plan(m.envelope);
      buckets.push(...plan.buckets.map((b) => b.key));
      if (plan.dailyCap) {
        // The horizon may cross midnight: both days' counters.
        for (const at of [now, now + this.config.PACING_LOOKAHEAD_MS]) {
          const l = localTime(new Date(this.policy.clock.toPolicyMs(at)), plan.dailyCap.dayTimeZone);
          counters.push(`${plan.dailyCap.key}@${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`);
        }
      }
    }
    return { buckets, counters };
  }

  /** What a claim round decided besides its claims (blocked, deferred, held, alerts): written to the outbox in its transaction. */
  private roundRecords(plan: ClaimPlan, messages: DueSend[], stopped: Map<string, Omit<Verdict, 'at'>>, all: DueSend[]): Outgoing[] {
    const byId = new Map(messages.map((m) => [m.messageId, m]));
    const out: Outgoing[] = [];
    for (const m of all) {
      const verdict = stopped.get(m.messageId);
      if (verdict) out.push({ messageId: m.messageId, record: stoppedRecord(m.envelope, verdict, m.recipientToken, contextOf(m.traceparent)) });
    }
    for (const d of plan.deferrals) {
      const m = byId.get(d.messageId)!;
      out.push({ messageId: m.messageId, record: scheduledStatus(m.envelope, new Date(d.dueAtMs), d.reason, d.clauses, contextOf(m.traceparent)) });
    }
    for (const h of plan.holds) {
      const m = byId.get(h.messageId)!;
      const verdict = { stage: 'dispatcher', decision: 'hold', clauses: h.clauses, reason: h.reason, facts: {} } as const;
      out.push({ messageId: m.messageId, record: stoppedRecord(m.envelope, verdict, this.pseudonyms.token(m.envelope.tenantId, m.envelope.message.to), contextOf(m.traceparent)) });
    }
    const at = new Date().toISOString();
    for (const alert of plan.alerts) {
      const event: AlertEvent = { ...alert, at };
      out.push({ messageId: null, record: record('alerts', event.tenantId, event) });
      this.logger.warn({ message: 'alert', kind: event.kind, tenantId: event.tenantId, reason: event.reason });
    }
    return out;
  }
}

/** Messages that answer the person (an opt-out confirmation, a HELP answer, a conversational reply) go first. */
function answersThePerson(envelope: MessageEnvelope): boolean {
  return envelope.kind !== 'standard' || envelope.message.useCase === 'conversational';
}

function toDecision(plan: ClaimPlan, pacing: PacingBook, state: ClaimRoundState, stopped: Map<string, Omit<Verdict, 'at'>>): ClaimRoundDecision {
  const envelopes = new Map(state.messages.map((m) => [m.messageId, m.envelope]));
  const screened = (decision: Verdict['decision']) => [...stopped].filter(([, v]) => v.decision === decision).map(([messageId, v]) => ({ messageId, reason: v.reason }));
  const changed = new Map(plan.dailyCounts);
  for (const [key, value] of state.dailyCounts) {
    const now = changed.get(key);
    if (now && now.segments === value.segments && now.alerted === value.alerted) changed.delete(key);
  }
  return {
    claims: plan.claims.map((c) => ({ messageId: c.messageId, startMs: c.startMs, buckets: c.buckets, envelope: envelopes.get(c.messageId)! })),
    deferrals: plan.deferrals.map((d) => ({ messageId: d.messageId, dueAtMs: d.dueAtMs, reason: d.reason })),
    holds: [...plan.holds.map((h) => ({ messageId: h.messageId, reason: h.reason })), ...screened('hold')],
    blocks: screened('block'),
    freeAt: pacing.entries().filter(([key, ms]) => state.freeAt.get(key) !== ms),
    dailyCounts: changed,
    notBefore: plan.notBefore,
  };
}

/** The status event a ledger row already stands for, published again on a redelivery. */
function knownOutcome(row: SendRow): OutgoingRecord | null {
  const ctx = contextOf(row.traceparent);
  if (row.state === 'accepted') return sendingStatus(row.envelope, row.twilioSid, ctx);
  if (row.state === 'failed') {
    return failedStatus(row.envelope, { code: row.errorCode, message: null, reason: row.errorMessage ?? 'failed', clauses: [] }, ctx);
  }
  return null;
}
