import { Inject, Injectable } from '@nestjs/common';
import type { InboundMessageEvent } from '@sms/contracts';
import { DataSource } from 'typeorm';

/** intake.inbound_messages: inbound messages stored before they are acknowledged, and published from here. */
@Injectable()
export class InboundOutboxRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Stores an inbound message; the same Twilio message twice is stored once (its first id is kept). */
  async store(event: InboundMessageEvent): Promise<InboundMessageEvent> {
    const rows: { event: InboundMessageEvent }[] = await this.db.query(
      `INSERT INTO intake.inbound_messages (id, tenant_id, twilio_sid, event, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (twilio_sid) DO UPDATE SET twilio_sid = EXCLUDED.twilio_sid
       RETURNING event`,
      [event.id, event.tenantId, event.twilioSid, JSON.stringify(event), event.receivedAt],
    );
    return rows[0]!.event;
  }

  async markPublished(id: string): Promise<void> {
    await this.db.query(`UPDATE intake.inbound_messages SET published_at = now() WHERE id = $1`, [id]);
  }

  /** Forgets inbound texts published more than a day ago: consent keeps them, intake need not (AUP.DATA_SAFEGUARDS). */
  async prunePublished(): Promise<void> {
    await this.db.query(`DELETE FROM intake.inbound_messages WHERE published_at < now() - interval '1 day'`);
  }

  /** Inbound messages that did not reach Kafka (a crash or a broker outage in between). */
  async takeUnpublished(olderThanMs: number, limit: number): Promise<InboundMessageEvent[]> {
    const rows: { event: InboundMessageEvent }[] = await this.db.query(
      `SELECT event FROM intake.inbound_messages
        WHERE published_at IS NULL AND received_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY received_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.event);
  }
}
