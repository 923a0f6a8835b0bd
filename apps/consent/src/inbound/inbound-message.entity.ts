import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Texts people sent to a tenant number: they open conversation windows. */
@Entity({ name: 'inbound_messages' })
@Index('inbound_messages_recipient_idx', ['tenantId', 'recipientToken', 'receivedAt'])
export class InboundMessageEntity {
  @PrimaryColumn({ name: 'twilio_sid', type: 'text' })
  twilioSid!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  /** The tenant number the person wrote to. */
  @Column({ type: 'text' })
  sender!: string;

  @Column({ type: 'text' })
  intent!: string;

  /** Who wrote (E.164): the proof of an opt-out names the person, and a reviewer's decision is answered to them. */
  @Column({ name: 'from_number', type: 'text', default: '' })
  fromNumber!: string;

  /** The text itself: the proof of an opt-out or opt-in, and what a reviewer reads. */
  @Column({ type: 'text', default: '' })
  body!: string;

  /** How it was classified and why: {kind, rule, evidence, confidence, version}. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  classification!: Record<string, unknown>;

  /** The pipeline's answer to it (HELP reply, opt-in confirmation), when there is one. */
  @Column({ name: 'reply_message_id', type: 'uuid', nullable: true })
  replyMessageId!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
