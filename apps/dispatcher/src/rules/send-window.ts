import type { ClauseId, MessageEnvelope } from '@sms/contracts';
import type { QuietHoursVerdict } from './quiet-hours.js';

export type InitialSchedule = { kind: 'now'; dueAtMs: number } | { kind: 'deferred'; dueAtMs: number; reason: string; clauses: ClauseId[] } | { kind: 'hold'; reason: string; clauses: ClauseId[] };

/**
 * When a cleared message should first be tried: at its `sendAt` when the sender scheduled it,
 * moved past the recipient's quiet hours (MP.COUNTRY). Pacing comes later, when it is due.
 * The dispatcher checks quiet hours again when the message actually starts.
 */
export function initialSchedule(envelope: MessageEnvelope, nowMs: number, quietHours: (atMs: number) => QuietHoursVerdict, toRealMs: (policyMs: number) => number): InitialSchedule {
  const sendAt = envelope.message.sendAt !== undefined ? Date.parse(envelope.message.sendAt) : undefined;
  const scheduled = sendAt !== undefined && sendAt > nowMs;
  const due = scheduled ? sendAt : nowMs;
  const quiet = quietHours(due);
  const asked = scheduled ? `scheduled by the sender for ${new Date(sendAt).toISOString()}` : null;
  if (quiet.kind === 'never') return { kind: 'hold', reason: quiet.reason, clauses: quiet.clauses };
  if (quiet.kind === 'closed') {
    return { kind: 'deferred', dueAtMs: toRealMs(quiet.until.getTime()), reason: asked ? `${asked}; ${quiet.reason}` : quiet.reason, clauses: quiet.clauses };
  }
  if (scheduled) return { kind: 'deferred', dueAtMs: due, reason: `${asked}; consent and opt-outs are checked again then`, clauses: ['MP.OPTOUT.HONOR'] };
  return { kind: 'now', dueAtMs: due };
}
