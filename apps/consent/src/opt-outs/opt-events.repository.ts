import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { ConsentStateView } from '@sms/contracts';
import { DataSource } from 'typeorm';

export interface NewOptEvent {
  id: string;
  tenantId: string;
  recipientToken: string;
  scope: string;
  kind: 'opt_out' | 'opt_in' | 'pause';
  source: string;
  keyword: string | null;
  inboundTwilioSid: string | null;
  evidence: string | null;
  confidence: number | null;
  replyMessageId: string | null;
  at: string;
}

/** consent.opt_events: opt-outs, opt-ins and pauses with their evidence. */
@Injectable()
export class OptEventsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Records opt events; one an inbound message already caused is skipped. Returns those inserted. */
  async insertOptEvents(events: NewOptEvent[]): Promise<NewOptEvent[]> {
    if (events.length === 0) return [];
    const inserted = await this.db.query<{ id: string }[]>(
      `INSERT INTO consent.opt_events (id, tenant_id, recipient_token, scope, kind, source, keyword, inbound_twilio_sid, evidence, confidence, reply_message_id, at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::real[], $11::uuid[], $12::timestamptz[])
       ON CONFLICT (inbound_twilio_sid, kind) WHERE inbound_twilio_sid IS NOT NULL DO NOTHING
       RETURNING id`,
      columnsOf(events, ['id', 'tenantId', 'recipientToken', 'scope', 'kind', 'source', 'keyword', 'inboundTwilioSid', 'evidence', 'confidence', 'replyMessageId', 'at']),
    );
    const ids = new Set(inserted.map((r) => r.id));
    return events.filter((e) => ids.has(e.id));
  }

  /** Opt events of one recipient, for the consent API and proof exports. */
  async ofRecipient(tenantId: string, recipientToken: string): Promise<ConsentStateView['optEvents']> {
    const events = await this.db.query<
      {
        id: string;
        scope: string;
        kind: 'opt_out' | 'opt_in' | 'pause';
        source: string;
        keyword: string | null;
        inbound_twilio_sid: string | null;
        evidence: string | null;
        confidence: number | null;
        at: Date;
      }[]
    >(
      `SELECT id, scope, kind, source, keyword, inbound_twilio_sid, evidence, confidence, at
         FROM consent.opt_events WHERE tenant_id = $1 AND recipient_token = $2 ORDER BY at, kind DESC`,
      [tenantId, recipientToken],
    );
    return events.map((e) => ({
      id: e.id,
      scope: e.scope,
      kind: e.kind,
      source: e.source,
      keyword: e.keyword,
      inboundTwilioSid: e.inbound_twilio_sid,
      evidence: e.evidence,
      confidence: e.confidence,
      at: e.at.toISOString(),
    }));
  }
}
