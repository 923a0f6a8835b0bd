import { Inject, Injectable } from '@nestjs/common';
import type { InboundMessageEvent } from '@sms/contracts';
import { DataSource } from 'typeorm';
import { claimUnpublishedSql, OutboxClaims } from '../messages/outbox-claims.js';

/** intake.inbound_messages: inbound messages stored before they are acknowledged, and published from here. */
@Injectable()
export class InboundOutboxRepository {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(OutboxClaims) private readonly claims: OutboxClaims,
  ) {}

  /** Stores an inbound message; the same Twilio message twice is stored once (its first id is kept). */
  async store(event: InboundMessageEvent): Promise<InboundMessageEvent> {
    const rows: { event: InboundMessageEvent }[] = await this.db.query(
      `INSERT INTO intake.inbound_messages (id, tenant_id, twilio_sid, event, received_at, claimed_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (twilio_sid) DO UPDATE SET twilio_sid = EXCLUDED.twilio_sid
       RETURNING event`,
      [event.id, event.tenantId, event.twilioSid, JSON.stringify(event), event.receivedAt, this.claims.instanceId],
    );
    return rows[0]!.event;
  }

  /** Stores the messages whose Twilio message is not stored yet; only those are returned (an insert that lost a race returns nothing). */
  async storeNew(events: InboundMessageEvent[]): Promise<InboundMessageEvent[]> {
    const rows: { event: InboundMessageEvent }[] = await this.db.query(
      `INSERT INTO intake.inbound_messages (id, tenant_id, twilio_sid, event, received_at, claimed_by)
       SELECT e.id, e.tenant_id, e.twilio_sid, e.event, e.received_at, $2 FROM jsonb_to_recordset($1::jsonb)
         AS e(id uuid, tenant_id text, twilio_sid text, event jsonb, received_at timestamptz)
       ON CONFLICT (twilio_sid) DO NOTHING
       RETURNING event`,
      [JSON.stringify(events.map((e) => ({ id: e.id, tenant_id: e.tenantId, twilio_sid: e.twilioSid, event: e, received_at: e.receivedAt }))), this.claims.instanceId],
    );
    return rows.map((r) => r.event);
  }

  async markPublished(id: string): Promise<void> {
    await this.db.query(`UPDATE intake.inbound_messages SET published_at = now() WHERE id = $1`, [id]);
  }

  /** Gives up this instance's claim on a message it could not publish: the next relay run, here or elsewhere, takes it. */
  async release(id: string): Promise<void> {
    await this.db.query(`UPDATE intake.inbound_messages SET claimed_by = NULL WHERE id = $1 AND claimed_by = $2 AND published_at IS NULL`, [id, this.claims.instanceId]);
  }

  /** Forgets inbound texts published more than a day ago: consent keeps them, intake need not (AUP.DATA_SAFEGUARDS). */
  async prunePublished(): Promise<void> {
    await this.db.query(`DELETE FROM intake.inbound_messages WHERE published_at < now() - interval '1 day'`);
  }

  /** Claims inbound messages that did not reach Kafka and that no live instance is publishing, oldest first. */
  async takeUnpublished(limit: number): Promise<InboundMessageEvent[]> {
    const rows: { event: InboundMessageEvent }[] = await this.db.query(claimUnpublishedSql('intake.inbound_messages', 'received_at', 'event'), [this.claims.instanceId, limit]);
    return rows.map((r) => r.event);
  }
}
