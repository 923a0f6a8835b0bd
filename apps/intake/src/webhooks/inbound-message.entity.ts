import { Column, Entity, Index } from 'typeorm';
import { TenantRecord } from '@sms/database';

/**
 * Inbound messages (STOP, START, HELP, replies), written before Twilio hears "200": Twilio does
 * not retry an inbound webhook that failed, so an opt-out must be stored before it is
 * acknowledged, and reaches Kafka from here (an outbox) even when the broker was away.
 */
@Entity({ name: 'inbound_messages' })
@Index('inbound_messages_twilio_sid_uq', ['twilioSid'], { unique: true })
@Index('inbound_messages_unpublished_idx', ['receivedAt'], { where: '"published_at" IS NULL' })
export class InboundMessageEntity extends TenantRecord {
  @Column({ name: 'twilio_sid', type: 'text' })
  twilioSid!: string;

  /** The inbound event as published on sms.inbound.v1. */
  @Column({ type: 'jsonb' })
  event!: unknown;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** The instance publishing it (intake.outbox_instances); the relay takes it only once that instance is gone. */
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy!: string | null;
}
