import type { ConsentChangeEvent, MessageStatus } from '@sms/contracts';
import type { HistoryEvent } from '../rules/history.js';

/**
 * What each kind of history record contributes to its tenant's hash chain: every stored
 * field, in a form that reads back identically from the database (timestamps in UTC ISO).
 */
export function messageEventContent(e: HistoryEvent): Record<string, unknown> {
  return {
    table: 'message_events',
    tenantId: e.tenantId,
    messageId: e.messageId,
    campaign: e.campaign,
    eventKey: e.eventKey,
    kind: e.kind,
    stage: e.stage,
    decision: e.decision,
    clauses: e.clauses,
    reason: e.reason,
    status: e.status,
    twilioSid: e.twilioSid,
    errorCode: e.errorCode,
    facts: e.facts,
    occurredAt: new Date(e.occurredAt).toISOString(),
  };
}

export function consentEventContent(c: ConsentChangeEvent): Record<string, unknown> {
  return {
    table: 'consent_events',
    tenantId: c.tenantId,
    changeId: c.changeId,
    recipientToken: c.recipientToken,
    kind: c.kind,
    brand: c.brand ?? null,
    campaign: c.campaign ?? null,
    scope: c.scope ?? null,
    basis: c.basis ?? null,
    source: c.source,
    proof: c.proof,
    occurredAt: new Date(c.at).toISOString(),
  };
}

/** Something that happened to a tenant rather than a message: a suspension, its lifting. */
export interface TenantEvent {
  tenantId: string;
  eventId: string;
  kind: 'suspended' | 'suspension_lifted';
  campaign: string | null;
  reason: string;
  actor: string;
  facts: Record<string, unknown>;
  occurredAt: string;
}

export function tenantEventContent(t: TenantEvent): Record<string, unknown> {
  return {
    table: 'tenant_events',
    tenantId: t.tenantId,
    eventId: t.eventId,
    kind: t.kind,
    campaign: t.campaign,
    reason: t.reason,
    actor: t.actor,
    facts: t.facts,
    occurredAt: new Date(t.occurredAt).toISOString(),
  };
}

/** Rebuilds a record's chained content from its row as the database returns it (to_jsonb). */
export function contentFromRow(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const iso = (v: unknown) => new Date(v as string).toISOString();
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  switch (table) {
    case 'message_events':
      return messageEventContent({
        tenantId: String(row['tenant_id']),
        messageId: String(row['message_id']),
        campaign: text(row['campaign']),
        eventKey: String(row['event_key']),
        kind: row['kind'] as 'decision' | 'status',
        stage: text(row['stage']),
        decision: text(row['decision']),
        clauses: (row['clauses'] as string[]) ?? [],
        reason: text(row['reason']),
        status: text(row['status']) as MessageStatus | null,
        twilioSid: text(row['twilio_sid']),
        errorCode: (row['error_code'] as number | null) ?? null,
        facts: (row['facts'] as Record<string, unknown>) ?? {},
        occurredAt: iso(row['occurred_at']),
      });
    case 'consent_events':
      return consentEventContent({
        changeId: String(row['change_id']),
        tenantId: String(row['tenant_id']),
        recipientToken: String(row['recipient_token']),
        kind: row['kind'] as ConsentChangeEvent['kind'],
        ...(typeof row['brand'] === 'string' ? { brand: row['brand'] } : {}),
        ...(typeof row['campaign'] === 'string' ? { campaign: row['campaign'] } : {}),
        ...(typeof row['scope'] === 'string' ? { scope: row['scope'] } : {}),
        ...(row['basis'] !== null ? { basis: row['basis'] as ConsentChangeEvent['basis'] } : {}),
        source: String(row['source']),
        proof: row['proof'] as ConsentChangeEvent['proof'],
        at: iso(row['occurred_at']),
      });
    default:
      return tenantEventContent({
        tenantId: String(row['tenant_id']),
        eventId: String(row['event_id']),
        kind: row['kind'] as TenantEvent['kind'],
        campaign: text(row['campaign']),
        reason: String(row['reason']),
        actor: String(row['actor']),
        facts: (row['facts'] as Record<string, unknown>) ?? {},
        occurredAt: iso(row['occurred_at']),
      });
  }
}
