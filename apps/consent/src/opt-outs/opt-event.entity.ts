import { Column, Entity, Index } from 'typeorm';
import { RecipientRecord } from '@sms/database';

/**
 * An opt-out, an opt-in, or a pause of marketing (an unclear reply awaiting a decision) at one
 * scope; the latest per scope is the current state. Append-only: never updated or deleted
 * while its retention lasts (MP.CONSENT.RETAIN_PROOF).
 */
@Entity({ name: 'opt_events' })
@Index('opt_events_recipient_idx', ['tenantId', 'recipientToken', 'scope', 'at'])
@Index('opt_events_inbound_uq', ['inboundTwilioSid', 'kind'], { unique: true, where: '"inbound_twilio_sid" IS NOT NULL' })
export class OptEventEntity extends RecipientRecord {
  /** "tenant", "brand:<name>" or "sender:<E.164>". */
  @Column({ type: 'text' })
  scope!: string;

  @Column({ type: 'text' })
  kind!: 'opt_out' | 'opt_in' | 'pause';

  /** inbound_keyword, inbound_phrase, inbound_unclear, twilio_error_21610, review. */
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text', nullable: true })
  keyword!: string | null;

  /** The inbound message that caused it (the proof of the opt-out). */
  @Column({ name: 'inbound_twilio_sid', type: 'text', nullable: true })
  inboundTwilioSid!: string | null;

  /** Why an inbound text was taken this way: the matched words. */
  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ type: 'real', nullable: true })
  confidence!: number | null;

  /** The one confirmation the pipeline sends for an opt-out (a deterministic message id). */
  @Column({ name: 'reply_message_id', type: 'uuid', nullable: true })
  replyMessageId!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
