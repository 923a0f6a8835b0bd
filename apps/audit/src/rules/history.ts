import { requesterLabel, STATUS_RANK, type MessageEnvelope, type MessageStatus, type StatusEvent } from '@sms/contracts';

/** One entry of a message's history, as audit stores it. */
export interface HistoryEvent {
  tenantId: string;
  messageId: string;
  /** The campaign of the message (null for events that do not carry it, like Twilio callbacks). */
  campaign: string | null;
  eventKey: string;
  kind: 'decision' | 'status';
  stage: string | null;
  decision: string | null;
  clauses: string[];
  reason: string | null;
  status: MessageStatus | null;
  twilioSid: string | null;
  errorCode: number | null;
  facts: Record<string, unknown>;
  occurredAt: string;
}

/** The topics audit reads envelopes from: where a message enters, and the two where its way through the stages ends. */
export type EnvelopeTopic = 'accepted' | 'cleared' | 'stopped';

const ACCEPTED_KEY = 'status:accepted';

/**
 * A message's history as one envelope tells it: its acceptance and every verdict it carries.
 * Each entry is keyed (`status:accepted`, `decision:<stage>:<index>`), so that what a later
 * envelope of the same message carries again (the verdicts before a hold that a reviewer
 * released, the stages' verdicts on a message the dispatcher then stopped) or a redelivery
 * offers again is recorded once.
 */
export function historyFromEnvelope(envelope: MessageEnvelope): HistoryEvent[] {
  const base = { tenantId: envelope.tenantId, messageId: envelope.id, campaign: envelope.message.campaign, twilioSid: null, errorCode: null };
  const accepted: HistoryEvent = {
    ...base,
    eventKey: ACCEPTED_KEY,
    kind: 'status',
    stage: 'intake',
    decision: null,
    clauses: [],
    reason: null,
    status: 'accepted',
    facts: { channel: envelope.channel, country: envelope.recipient.country },
    occurredAt: envelope.acceptedAt,
  };
  return [
    accepted,
    ...envelope.verdicts.map((verdict, index): HistoryEvent => ({
      ...base,
      eventKey: `decision:${verdict.stage}:${index}`,
      kind: 'decision',
      stage: verdict.stage,
      decision: verdict.decision,
      clauses: verdict.clauses,
      reason: verdict.reason,
      status: null,
      facts: {
        ...verdict.facts,
        ...(verdict.transform ? { transform: verdict.transform.description } : {}),
        ...(envelope.consent && verdict.stage === 'consent' ? { consentReceipt: envelope.consent } : {}),
      },
      occurredAt: verdict.at,
    })),
  ];
}

/**
 * Of an envelope's history, what its record on `topic` is the first to tell, so that each
 * entry is told once downstream (the analysts' stream): on `sms.accepted.v1`, the acceptance;
 * on `sms.cleared.v1` and `sms.stopped.v1`, the verdicts since the envelope was last on a topic
 * audit reads: since its acceptance, or since the hold a reviewer released (the review's own
 * verdict included), or, for a dispatcher's stop, since it was cleared.
 */
export function firstToldOn(topic: EnvelopeTopic, envelope: MessageEnvelope, history: HistoryEvent[]): HistoryEvent[] {
  if (topic === 'accepted') return history.filter((e) => e.eventKey === ACCEPTED_KEY);
  const last = envelope.verdicts.length - 1;
  const from = topic === 'stopped' && envelope.verdicts[last]?.stage === 'dispatcher' ? last : envelope.verdicts.findLastIndex((v, i) => v.decision === 'hold' && i < last) + 1;
  // history holds the acceptance first, then verdict i at i + 1.
  return history.slice(1 + from);
}

/**
 * A status event as history. The dispatcher's answer to a cancel request is kept once per
 * request (`cancellation:<request id>`), with who asked and the outcome, so that a refused
 * request shows beside the statuses it did not change.
 */
export function historyFromStatus(event: StatusEvent): HistoryEvent {
  const cancellation = event.cancellation ? { cancellation: event.cancellation.outcome, requestedBy: requesterLabel(event.cancellation.requestedBy), requestId: event.cancellation.requestId } : {};
  return {
    tenantId: event.tenantId,
    messageId: event.messageId,
    campaign: null,
    eventKey: event.cancellation ? cancellationEventKey(event.cancellation.requestId) : `status:${event.status}`,
    kind: 'status',
    stage: event.source === 'dispatcher' ? 'dispatcher' : 'twilio',
    decision: null,
    clauses: event.clauses ?? [],
    reason: event.reason ?? event.errorMessage ?? null,
    status: event.status,
    twilioSid: event.twilioSid ?? null,
    errorCode: event.errorCode ?? null,
    facts: { ...(event.scheduledFor ? { scheduledFor: event.scheduledFor } : {}), ...cancellation },
    occurredAt: event.at,
  };
}

export function cancellationEventKey(requestId: string): string {
  return `cancellation:${requestId}`;
}

/** Statuses that say Twilio has (or had) the message: the dispatcher's ledger handed it over. */
export const WITH_TWILIO: ReadonlySet<MessageStatus> = new Set(['sending', 'sent', 'delivered', 'undelivered']);

/** The stage that keeps the ledger of what was handed to Twilio. */
export const LEDGER_STAGE = 'dispatcher';

/**
 * Whether an event says the message was handed to Twilio: the dispatcher's `sending` (Twilio
 * took it; also its answer refusing a cancel request) or anything Twilio itself reported on it.
 */
export function handedToTwilio(e: Pick<HistoryEvent, 'kind' | 'status' | 'stage'>): boolean {
  return e.kind === 'status' && e.status !== null && (WITH_TWILIO.has(e.status) || e.stage === 'twilio');
}

/**
 * Whether a decision is a hold or block from before the ledger: a stage ahead of the
 * dispatcher, or a reviewer deciding such a stage's hold. Once the ledger handed the message to
 * Twilio such a decision cannot stop it: it is a second, contradicting decision (a stage that
 * decided a redelivered message anew), and it changes neither the message's status nor the
 * review queue. The dispatcher's own holds and blocks (after a send Twilio failed in its queue
 * and that went back to the ledger's queue) are the ledger's, and always count.
 */
export function stopsBeforeTheLedger(e: Pick<HistoryEvent, 'kind' | 'decision' | 'stage' | 'facts'>): boolean {
  if (e.kind !== 'decision' || (e.decision !== 'hold' && e.decision !== 'block')) return false;
  return (e.stage === 'review' ? e.facts['heldBy'] : e.stage) !== LEDGER_STAGE;
}

/**
 * The status a history adds up to. Events may arrive in any order (Kafka topics, Twilio's
 * callbacks), so the furthest state wins, never the latest arrival: a late "sent" never
 * undoes "delivered". A blocking or holding decision is a state too, except one from before
 * the ledger in a history that shows the message handed to Twilio (stopsBeforeTheLedger).
 */
export function currentStatus(events: Pick<HistoryEvent, 'kind' | 'status' | 'stage' | 'decision' | 'facts' | 'occurredAt'>[]): MessageStatus {
  const handed = events.some(handedToTwilio);
  let best: { status: MessageStatus; at: number } = { status: 'accepted', at: 0 };
  for (const e of events) {
    if (handed && stopsBeforeTheLedger(e)) continue;
    const status: MessageStatus | null = e.kind === 'status' ? e.status : e.decision === 'block' ? 'blocked' : e.decision === 'hold' ? 'held' : null;
    if (status === null) continue;
    const at = Date.parse(e.occurredAt);
    if (STATUS_RANK[status] > STATUS_RANK[best.status] || (STATUS_RANK[status] === STATUS_RANK[best.status] && at > best.at)) {
      best = { status, at };
    }
  }
  return best.status;
}
