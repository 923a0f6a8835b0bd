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

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
