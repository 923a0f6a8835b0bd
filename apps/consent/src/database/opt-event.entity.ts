import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An opt-out or opt-in at one scope; the latest per scope is the current state. Append-only. */
@Entity({ name: 'opt_events' })
@Index('opt_events_recipient_idx', ['tenantId', 'recipientToken', 'scope', 'at'])
@Index('opt_events_inbound_uq', ['inboundTwilioSid'], { unique: true, where: '"inbound_twilio_sid" IS NOT NULL' })
export class OptEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  /** "tenant", "brand:<name>" or "sender:<E.164>". */
  @Column({ type: 'text' })
  scope!: string;

  @Column({ type: 'text' })
  kind!: 'opt_out' | 'opt_in';

  /** inbound_keyword, twilio_error_21610, api. */
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text', nullable: true })
  keyword!: string | null;

  /** The inbound message that caused it (the proof of the opt-out). */
  @Column({ name: 'inbound_twilio_sid', type: 'text', nullable: true })
  inboundTwilioSid!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
