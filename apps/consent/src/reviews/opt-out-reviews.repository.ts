import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { OptOutReview } from '@sms/contracts';
import { DataSource } from 'typeorm';

/** consent.opt_out_reviews: unclear replies waiting for a person's decision (read with the inbound message's text). */
@Injectable()
export class OptOutReviewsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async insertReviews(reviews: { id: string; tenantId: string; recipientToken: string; scope: string; inboundTwilioSid: string; evidence: string | null; confidence: number }[]): Promise<void> {
    if (reviews.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.opt_out_reviews (id, tenant_id, recipient_token, scope, inbound_twilio_sid, status, evidence, confidence, created_at)
       SELECT id, tenant_id, recipient_token, scope, sid, 'pending', evidence, confidence, now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::real[])
              AS r(id, tenant_id, recipient_token, scope, sid, evidence, confidence)
       ON CONFLICT (inbound_twilio_sid) DO NOTHING`,
      columnsOf(reviews, ['id', 'tenantId', 'recipientToken', 'scope', 'inboundTwilioSid', 'evidence', 'confidence']),
    );
  }

  /** One tenant's opt-out reviews, or (tenant null: the compliance reviewers' queue) every tenant's; `id` narrows to one. */
  async reviews(tenantId: string | null, status: OptOutReview['status'] | undefined, id?: string): Promise<(OptOutReview & { recipientToken: string; inboundTwilioSid: string })[]> {
    const rows = await this.db.query<
      {
        id: string;
        tenant_id: string;
        status: OptOutReview['status'];
        scope: string;
        body: string;
        evidence: string | null;
        confidence: number;
        received_at: Date;
        decided_by: string | null;
        decided_at: Date | null;
        recipient_token: string;
        inbound_twilio_sid: string;
      }[]
    >(
      `SELECT r.id, r.tenant_id, r.status, r.scope, coalesce(i.body, '') AS body, r.evidence, r.confidence, coalesce(i.received_at, r.created_at) AS received_at,
              r.decided_by, r.decided_at, r.recipient_token, r.inbound_twilio_sid
         FROM consent.opt_out_reviews r LEFT JOIN consent.inbound_messages i ON i.twilio_sid = r.inbound_twilio_sid
        WHERE ($1::text IS NULL OR r.tenant_id = $1) AND ($2::text IS NULL OR r.status = $2) AND ($3::uuid IS NULL OR r.id = $3)
        ORDER BY r.created_at LIMIT 500`,
      [tenantId, status ?? null, id ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      status: r.status,
      scope: r.scope,
      body: r.body,
      evidence: r.evidence,
      confidence: r.confidence,
      receivedAt: r.received_at.toISOString(),
      decidedBy: r.decided_by,
      decidedAt: r.decided_at?.toISOString() ?? null,
      recipientToken: r.recipient_token,
      inboundTwilioSid: r.inbound_twilio_sid,
    }));
  }

  /** Records a reviewer's decision once; false when the review is not pending (or not this tenant's). */
  async decideReview(tenantId: string, id: string, status: 'opted_out' | 'not_opt_out', decidedBy: string, note: string | null): Promise<boolean> {
    const [, affected] = await this.db.query<[unknown[], number]>(
      `UPDATE consent.opt_out_reviews SET status = $3, decided_by = $4, decided_at = now(), note = $5
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
      [tenantId, id, status, decidedBy, note],
    );
    return affected > 0;
  }
}
