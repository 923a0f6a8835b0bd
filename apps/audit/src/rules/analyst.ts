import type { AnalystEvent, ConsentChangeEvent, MessageEnvelope, StatusEvent } from '@sms/contracts';
import type { HistoryEvent } from './history.js';

/** Keyed hashes for the analysts' stream, stable per tenant; never the numbers themselves. */
export interface AnalystPseudonyms {
  /** The analysts' pseudonym of a recipient, from the platform's internal recipient token. */
  recipient(tenantId: string, recipientToken: string): string;
  /** The platform's internal recipient token of a number (as every service computes it). */
  recipientToken(tenantId: string, number: string): string;
  sender(tenantId: string, sender: string): string;
}

const base = (tenantId: string, at: string): Omit<AnalystEvent, 'eventId' | 'kind'> => ({
  schema: 'audit.analyst',
  version: 1,
  tenantId,
  recipient: null,
  sender: null,
  messageId: null,
  stage: null,
  decision: null,
  clauses: [],
  categories: [],
  status: null,
  errorCode: null,
  consentChange: null,
  country: null,
  useCase: null,
  brand: null,
  campaign: null,
  at,
});

/** Decisions and the acceptance of one message, without the body; its pseudonyms made once for all of them. */
export function analystFromEnvelope(envelope: MessageEnvelope, events: HistoryEvent[], p: AnalystPseudonyms): AnalystEvent[] {
  if (events.length === 0) return [];
  const { message } = envelope;
  const sender = message.from ?? message.messagingServiceSid;
  const who = {
    recipient: p.recipient(envelope.tenantId, p.recipientToken(envelope.tenantId, message.to)),
    sender: sender ? p.sender(envelope.tenantId, sender) : null,
  };
  return events.map((event) => {
    const categories = event.facts['categories'];
    return {
      ...base(envelope.tenantId, new Date(event.occurredAt).toISOString()),
      ...who,
      eventId: `${envelope.id}|${event.eventKey}`,
      kind: event.kind === 'decision' ? 'decision' : 'status',
      messageId: envelope.id,
      stage: event.stage,
      decision: (event.decision as AnalystEvent['decision']) ?? null,
      clauses: event.clauses as AnalystEvent['clauses'],
      categories: Array.isArray(categories) ? categories.filter((c): c is string => typeof c === 'string') : [],
      status: event.status,
      country: envelope.recipient.country,
      useCase: message.useCase,
      brand: message.brand,
      campaign: message.campaign,
    };
  });
}

export function analystFromStatus(status: StatusEvent): AnalystEvent {
  return {
    ...base(status.tenantId, status.at),
    eventId: status.cancellation ? `${status.messageId}|cancellation:${status.cancellation.requestId}` : `${status.messageId}|status:${status.status}`,
    kind: 'status',
    messageId: status.messageId,
    stage: status.source === 'dispatcher' ? 'dispatcher' : 'twilio',
    status: status.status,
    errorCode: status.errorCode ?? null,
  };
}

export function analystFromConsentChange(change: ConsentChangeEvent, p: AnalystPseudonyms): AnalystEvent {
  return {
    ...base(change.tenantId, change.at),
    eventId: `consent|${change.changeId}`,
    kind: 'consent',
    recipient: p.recipient(change.tenantId, change.recipientToken),
    consentChange: change.kind,
    brand: change.brand ?? null,
    campaign: change.campaign ?? null,
  };
}
