import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Messages that passed consent, kept for the rules that depend on what a person already got:
 * first-message rules, frequency caps, unsubscribe reminders (MP.CONSENT.PERIODIC), and to
 * find the recipient of a message Twilio refused with 21610. Kept for 35 days.
 */
@Entity({ name: 'message_decisions' })
@Index('message_decisions_recipient_idx', ['tenantId', 'recipientToken', 'decidedAt'])
export class MessageDecisionEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  @Column({ type: 'text' })
  brand!: string;

  @Column({ type: 'text' })
  campaign!: string;

  @Column({ name: 'use_case', type: 'text' })
  useCase!: string;

  /** The sender number, when the message named one. */
  @Column({ type: 'text', nullable: true })
  sender!: string | null;

  @Column({ name: 'opt_out_language', type: 'boolean' })
  optOutLanguage!: boolean;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}

/** Which brands have sent to whom, and when first and last: "is this the first message?". */
@Entity({ name: 'recipient_activity' })
export class RecipientActivityEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  @PrimaryColumn({ type: 'text' })
  brand!: string;

  @Column({ name: 'first_sent_at', type: 'timestamptz' })
  firstSentAt!: Date;

  @Column({ name: 'last_sent_at', type: 'timestamptz' })
  lastSentAt!: Date;
}
