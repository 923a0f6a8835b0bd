import { Column, Entity, Index } from 'typeorm';
import { TenantRecord } from '@sms/database';

/**
 * A consent with its proof (MP.CONSENT.PROOF). Never deleted by an opt-out
 * (MP.CONSENT.RETAIN_PROOF): opting out is a separate event.
 */
@Entity({ name: 'consent_records' })
@Index('consent_records_recipient_idx', ['tenantId', 'recipientToken'])
@Index('consent_records_capture_uq', ['tenantId', 'captureId'], { unique: true, where: '"capture_id" IS NOT NULL' })
export class ConsentRecordEntity extends TenantRecord {
  @Column({ type: 'text' })
  brand!: string;

  @Column({ type: 'text' })
  campaign!: string;

  /** E.164; kept because the proof must say who agreed. */
  @Column({ type: 'text' })
  recipient!: string;

  /** Keyed hash of the recipient, for lookups and for joining with other services. */
  @Column({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  @Column({ type: 'text' })
  basis!: 'express' | 'prior_relationship';

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'captured_at', type: 'timestamptz' })
  capturedAt!: Date;

  @Column({ type: 'text' })
  wording!: string;

  @Column({ name: 'wording_hash', type: 'text' })
  wordingHash!: string;

  @Column({ name: 'wording_version', type: 'text', nullable: true })
  wordingVersion!: string | null;

  @Column({ type: 'jsonb' })
  evidence!: Record<string, string>;

  /** How it reached us: api, kafka, or an inbound keyword. */
  @Column({ type: 'text' })
  channel!: string;

  /** The frequency the person chose, honoured as a cap: {max, per: day|week|month}. */
  @Column({ name: 'chosen_frequency', type: 'jsonb', nullable: true })
  chosenFrequency!: { max: number; per: 'day' | 'week' | 'month' } | null;

  /** The upstream capture id, so a republished capture is recorded once. */
  @Column({ name: 'capture_id', type: 'text', nullable: true })
  captureId!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
