import type { AlertEvent, ClauseId, Facts, MessageEnvelope } from '@sms/contracts';
import { localTime, zonedInstant } from './local-time.js';
import type { PacingBook } from './pacing.js';
import type { QuietHoursVerdict } from './quiet-hours.js';
import type { RateBucket, SenderPlan } from './sender-rate.js';

/** A queued message whose due time has come, as the claim step sees it. */
export interface DueMessage {
  messageId: string;
  senderKey: string;
  segments: number;
  envelope: MessageEnvelope;
}

export interface ClaimInputs {
  /** Due messages, oldest first. */
  messages: DueMessage[];
  nowMs: number;
  /** Messages starting later than now + horizon stay queued for a later round. */
  horizonMs: number;
  pacing: PacingBook;
  /** Segments counted today per daily-cap key and day ("tmobile:t|Brand@2026-11-27"), and whether an alert went out. */
  dailyCounts: Map<string, { segments: number; alerted: boolean }>;
  /**
   * How long the oldest message Twilio accepted and has not sent on has waited there, per
   * sender key: Twilio's queue is first in, first out, so this is how deep it is, in time.
   */
  queuedAtTwilioMs: Map<string, number>;
  /** Twilio's queue window: a sender whose queue is half that deep gets nothing more until it drains. */
  queueWindowMs: number;
  plan: (envelope: MessageEnvelope) => SenderPlan;
  /** Quiet hours at a real instant (the service maps it to its policy clock). */
  quietHours: (envelope: MessageEnvelope, atMs: number) => QuietHoursVerdict;
  /** Real instant of a policy instant and back (identity in production). */
  toPolicyMs: (realMs: number) => number;
  toRealMs: (policyMs: number) => number;
}

export interface Deferral {
  messageId: string;
  /** Real time it becomes due again. */
  dueAtMs: number;
  reason: string;
  clauses: ClauseId[];
  facts: Facts;
}

export interface ClaimPlan {
  claims: { messageId: string; startMs: number; buckets: RateBucket[]; facts: Facts }[];
  deferrals: Deferral[];
  /** Messages no time can be found for: held for a person (quiet hours in every zone never open). */
  holds: { messageId: string; reason: string; clauses: ClauseId[] }[];
  /** Per sender, the earliest real time worth looking at it again (pacing or a full queue at Twilio). */
  notBefore: Map<string, number>;
  dailyCounts: Map<string, { segments: number; alerted: boolean }>;
  alerts: Omit<AlertEvent, 'at'>[];
}

/** The next midnight in a zone after a policy instant. */
function nextLocalMidnight(policyMs: number, timeZone: string): number {
  const local = localTime(new Date(policyMs), timeZone);
  return zonedInstant(local.year, local.month, local.day + 1, 0, timeZone).getTime();
}

function localDay(policyMs: number, timeZone: string): string {
  const l = localTime(new Date(policyMs), timeZone);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/** How long to wait before asking again when Twilio's queue for a sender is too deep. */
const FULL_QUEUE_RETRY_MS = 1_000;

/**
 * Decides, for the due messages of a few senders, which start when: quiet hours at the
 * moment they would start, a brand's daily cap, the depth of the sender's queue at Twilio,
 * and the pacing of every bucket they count against (AUP.SERVICE_LIMITS). A sender's messages
 * keep their order: once one must wait for pacing or a full queue, the later ones wait too.
 */
export function planClaims(input: ClaimInputs): ClaimPlan {
  const out: ClaimPlan = { claims: [], deferrals: [], holds: [], notBefore: new Map(), dailyCounts: new Map(input.dailyCounts), alerts: [] };
  const stopped = new Set<string>();
  const horizonEnd = input.nowMs + input.horizonMs;

  for (const m of input.messages) {
    if (stopped.has(m.senderKey)) continue;
    const plan = input.plan(m.envelope);
    const start = input.pacing.earliest(plan.buckets, input.nowMs);

    const quiet = input.quietHours(m.envelope, start);
    if (quiet.kind === 'closed') {
      out.deferrals.push({ messageId: m.messageId, dueAtMs: input.toRealMs(quiet.until.getTime()), reason: quiet.reason, clauses: quiet.clauses, facts: { quietHours: quiet.sources } });
      continue;
    }
    if (quiet.kind === 'never') {
      out.holds.push({ messageId: m.messageId, reason: quiet.reason, clauses: quiet.clauses });
      continue;
    }

    if ((input.queuedAtTwilioMs.get(m.senderKey) ?? 0) > input.queueWindowMs / 2) {
      stopped.add(m.senderKey);
      out.notBefore.set(m.senderKey, input.nowMs + FULL_QUEUE_RETRY_MS);
      continue;
    }

    if (start > horizonEnd) {
      stopped.add(m.senderKey);
      out.notBefore.set(m.senderKey, start - input.horizonMs);
      continue;
    }

    if (plan.dailyCap) {
      const policyStart = input.toPolicyMs(start);
      const key = `${plan.dailyCap.key}@${localDay(policyStart, plan.dailyCap.dayTimeZone)}`;
      const count = out.dailyCounts.get(key) ?? { segments: 0, alerted: false };
      if (count.segments + m.segments > plan.dailyCap.cap) {
        const next = nextLocalMidnight(policyStart, plan.dailyCap.dayTimeZone);
        out.deferrals.push({
          messageId: m.messageId,
          dueAtMs: input.toRealMs(next),
          reason: `brand ${plan.dailyCap.brand} reached T-Mobile's daily cap of ${plan.dailyCap.cap} segments for 10DLC; deferred to the next day (${new Date(next).toISOString()})`,
          clauses: ['AUP.SERVICE_LIMITS'],
          facts: { dailyCap: plan.dailyCap.cap, dailyCapDay: key.split('@')[1]! },
        });
        if (!count.alerted) {
          out.dailyCounts.set(key, { ...count, alerted: true });
          out.alerts.push({
            alertId: `daily_cap_reached:${key}`,
            tenantId: m.envelope.tenantId,
            kind: 'daily_cap_reached',
            severity: 'warning',
            clauses: ['AUP.SERVICE_LIMITS'],
            reason: `brand ${plan.dailyCap.brand} reached T-Mobile's daily cap of ${plan.dailyCap.cap} 10DLC segments; its messages wait for the next day`,
            brand: plan.dailyCap.brand,
          });
        }
        continue;
      }
      out.dailyCounts.set(key, { ...count, segments: count.segments + m.segments });
    }

    input.pacing.book(plan.buckets, m.segments, start);
    out.claims.push({ messageId: m.messageId, startMs: start, buckets: plan.buckets, facts: { pacing: plan.description, segments: m.segments } });
  }
  return out;
}
