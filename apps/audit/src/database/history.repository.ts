import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { HistoryEvent } from '../rules/history.js';

export interface StoredEvent extends HistoryEvent {
  recordedAt: string;
}

/** audit.message_events: batched appends, reads by message. */
@Injectable()
export class HistoryRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Appends events in one statement; an event already recorded is skipped. */
  async append(events: HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.query(
      `INSERT INTO audit.message_events
         (id, tenant_id, message_id, event_key, kind, stage, decision, clauses, reason, status, twilio_sid, error_code, facts, occurred_at)
       SELECT id, tenant_id, message_id, event_key, kind, stage, decision,
              ARRAY(SELECT jsonb_array_elements_text(clauses)), reason, status, twilio_sid, error_code, facts, occurred_at
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
                     $9::text[], $10::text[], $11::text[], $12::integer[], $13::jsonb[], $14::timestamptz[])
              AS e(id, tenant_id, message_id, event_key, kind, stage, decision, clauses, reason, status, twilio_sid, error_code, facts, occurred_at)
       ON CONFLICT (message_id, event_key) DO NOTHING`,
      [
        events.map(() => randomUUID()),
        events.map((e) => e.tenantId),
        events.map((e) => e.messageId),
        events.map((e) => e.eventKey),
        events.map((e) => e.kind),
        events.map((e) => e.stage),
        events.map((e) => e.decision),
        events.map((e) => JSON.stringify(e.clauses)),
        events.map((e) => e.reason),
        events.map((e) => e.status),
        events.map((e) => e.twilioSid),
        events.map((e) => e.errorCode),
        events.map((e) => JSON.stringify(e.facts)),
        events.map((e) => e.occurredAt),
      ],
    );
  }

  async forMessage(tenantId: string, messageId: string): Promise<StoredEvent[]> {
    const rows: {
      tenant_id: string; message_id: string; event_key: string; kind: 'decision' | 'status'; stage: string | null; decision: string | null;
      clauses: string[]; reason: string | null; status: HistoryEvent['status']; twilio_sid: string | null; error_code: number | null;
      facts: Record<string, unknown>; occurred_at: Date; recorded_at: Date;
    }[] = await this.db.query(
      `SELECT * FROM audit.message_events WHERE tenant_id = $1 AND message_id = $2 ORDER BY occurred_at, recorded_at`,
      [tenantId, messageId],
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      messageId: r.message_id,
      eventKey: r.event_key,
      kind: r.kind,
      stage: r.stage,
      decision: r.decision,
      clauses: r.clauses,
      reason: r.reason,
      status: r.status,
      twilioSid: r.twilio_sid,
      errorCode: r.error_code,
      facts: r.facts,
      occurredAt: r.occurred_at.toISOString(),
      recordedAt: r.recorded_at.toISOString(),
    }));
  }
}
