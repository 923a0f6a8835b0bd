import { Column, Entity, Index } from 'typeorm';
import { TenantRecord } from '@sms/database';

/**
 * Every accepted message, written before the caller hears "accepted" and published to Kafka
 * from here (a transactional outbox): a crash between the two cannot lose a message, and the
 * idempotency key makes a retried request return the same id.
 */
@Entity({ name: 'accepted_messages' })
@Index('accepted_messages_idempotency_uq', ['tenantId', 'idempotencyKey'], { unique: true, where: '"idempotency_key" IS NOT NULL' })
@Index('accepted_messages_unpublished_idx', ['acceptedAt'], { where: '"published_at" IS NULL' })
export class AcceptedMessageEntity extends TenantRecord {
  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  /** SHA-256 of the request, to refuse an idempotency key reused for a different request. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ type: 'jsonb' })
  envelope!: unknown;

  /** W3C traceparent of the request, so a republished message stays in its trace. */
  @Column({ type: 'text', nullable: true })
  traceparent!: string | null;

  @Column({ name: 'accepted_at', type: 'timestamptz' })
  acceptedAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** The instance publishing it (intake.outbox_instances); the relay takes it only once that instance is gone. */
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy!: string | null;
}
