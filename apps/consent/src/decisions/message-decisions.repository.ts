import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { UseCase } from '@sms/contracts';
import { DataSource } from 'typeorm';

export interface NewDecision {
  messageId: string;
  tenantId: string;
  recipientToken: string;
  brand: string;
  campaign: string;
  useCase: UseCase;
  sender: string | null;
  optOutLanguage: boolean;
  decidedAt: string;
}

/** consent.message_decisions (what passed, for caps and first messages) and consent.recipient_activity (who was sent to, by brand). */
@Injectable()
export class MessageDecisionsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Messages that passed consent; a redelivered one is recorded once. */
  async recordDecisions(decisions: NewDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.message_decisions (message_id, tenant_id, recipient_token, brand, campaign, use_case, sender, opt_out_language, decided_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::timestamptz[])
       ON CONFLICT (message_id) DO NOTHING`,
      columnsOf(decisions, ['messageId', 'tenantId', 'recipientToken', 'brand', 'campaign', 'useCase', 'sender', 'optOutLanguage', 'decidedAt']),
    );
  }

  /**
   * A message reached Twilio: it counts as sent to the person for its brand, from the first
   * status that says so. The later statuses of the same message (Twilio's queued, sent,
   * delivered) change nothing and write nothing.
   */
  async markSent(sent: { messageId: string; at: string }[]): Promise<void> {
    if (sent.length === 0) return;
    await this.db.query(
      `WITH s AS (
         UPDATE consent.message_decisions d SET sent_at = x.at
           FROM (SELECT message_id, min(at) AS at FROM unnest($1::uuid[], $2::timestamptz[]) AS u(message_id, at) GROUP BY message_id) x
          WHERE d.message_id = x.message_id AND (d.sent_at IS NULL OR d.sent_at > x.at)
         RETURNING d.tenant_id, d.recipient_token, d.brand, x.at)
       INSERT INTO consent.recipient_activity (tenant_id, recipient_token, brand, first_sent_at, last_sent_at)
       SELECT tenant_id, recipient_token, brand, min(at), max(at) FROM s GROUP BY tenant_id, recipient_token, brand
        -- In one order: batches of other partitions upsert the same people at once, and rows
        -- locked in different orders deadlock.
        ORDER BY tenant_id, recipient_token, brand
       ON CONFLICT (tenant_id, recipient_token, brand) DO UPDATE
         SET first_sent_at = least(recipient_activity.first_sent_at, EXCLUDED.first_sent_at),
             last_sent_at = greatest(recipient_activity.last_sent_at, EXCLUDED.last_sent_at)`,
      [sent.map((s) => s.messageId), sent.map((s) => s.at)],
    );
  }

  async findDecisions(messageIds: string[]): Promise<{ messageId: string; tenantId: string; recipientToken: string; brand: string; sender: string | null }[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db.query<{ message_id: string; tenant_id: string; recipient_token: string; brand: string; sender: string | null }[]>(
      `SELECT message_id, tenant_id, recipient_token, brand, sender FROM consent.message_decisions WHERE message_id = ANY($1::uuid[])`,
      [messageIds],
    );
    return rows.map((r) => ({ messageId: r.message_id, tenantId: r.tenant_id, recipientToken: r.recipient_token, brand: r.brand, sender: r.sender }));
  }
}
