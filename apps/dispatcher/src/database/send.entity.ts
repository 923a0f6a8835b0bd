import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per message the dispatcher decided to send, written before Twilio is called: the
 * primary key is what makes a message reach Twilio at most once, however often Kafka
 * redelivers it (DESIGN principle 3).
 */
@Entity({ name: 'sends' })
@Index('sends_in_doubt_idx', ['updatedAt'], { where: `"state" = 'sending'` })
export class SendEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** sending (recorded, Twilio not yet confirmed), accepted (Twilio took it), failed (final). */
  @Column({ type: 'text' })
  state!: 'sending' | 'accepted' | 'failed';

  @Column({ name: 'twilio_sid', type: 'text', nullable: true })
  twilioSid!: string | null;

  @Column({ type: 'integer', default: 1 })
  attempts!: number;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  /** The envelope, so that a send left in doubt can be looked up and finished after a crash. */
  @Column({ type: 'jsonb' })
  envelope!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
