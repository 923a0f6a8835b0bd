import { Column, Entity, Index } from 'typeorm';
import { RecipientRecord } from '@sms/database';

/** An unclear reply waiting for a person to decide whether it was an opt-out. */
@Entity({ name: 'opt_out_reviews' })
@Index('opt_out_reviews_inbound_uq', ['inboundTwilioSid'], { unique: true })
@Index('opt_out_reviews_pending_idx', ['tenantId', 'createdAt'], { where: `"status" = 'pending'` })
export class OptOutReviewEntity extends RecipientRecord {
  @Column({ type: 'text' })
  scope!: string;

  @Column({ name: 'inbound_twilio_sid', type: 'text' })
  inboundTwilioSid!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'opted_out' | 'not_opt_out';

  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ type: 'real' })
  confidence!: number;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
