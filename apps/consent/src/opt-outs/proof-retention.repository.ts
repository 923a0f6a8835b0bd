import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The deletes of proof retention: one flow over consent records, opt events and message decisions. */
@Injectable()
export class ProofRetentionRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * MP.CONSENT.RETAIN_PROOF: proof outlives opt-outs; it is removed only when the retention
   * period has passed since it was captured and since anything was last sent to the person.
   * Message history that only the cap rules read is kept for 35 days.
   */
  async purgeExpired(proofRetentionDays: number): Promise<{ records: number; optEvents: number; decisions: number }> {
    const [, decisions] = await this.db.query<[unknown[], number]>(`DELETE FROM consent.message_decisions WHERE decided_at < now() - interval '35 days'`);
    const idle = `NOT EXISTS (SELECT 1 FROM consent.recipient_activity a WHERE a.tenant_id = t.tenant_id AND a.recipient_token = t.recipient_token
                                AND a.last_sent_at > now() - make_interval(days => $1::int))`;
    const [, records] = await this.db.query<[unknown[], number]>(`DELETE FROM consent.consent_records t WHERE t.captured_at < now() - make_interval(days => $1::int) AND ${idle}`, [
      proofRetentionDays,
    ]);
    const [, optEvents] = await this.db.query<[unknown[], number]>(`DELETE FROM consent.opt_events t WHERE t.at < now() - make_interval(days => $1::int) AND ${idle}`, [proofRetentionDays]);
    return { records, optEvents, decisions };
  }
}
