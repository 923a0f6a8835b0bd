import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The records of the outcomes the dispatcher decided (statuses, stopped envelopes, alerts),
 * each written in the transaction of its outcome and marked published once the broker
 * acknowledged it. Unpublished rows whose claimant is not alive are published by the relay
 * (dispatch/dispatch-outbox.ts); published rows are kept for OUTBOX_RETENTION_MS, so that a
 * redelivered message republishes what was decided for it.
 */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['id'], { where: `"published_at" IS NULL` })
@Index('outbox_message_idx', ['messageId'])
@Index('outbox_published_idx', ['publishedAt'])
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** The message the record is about; null for alerts about a tenant. */
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId!: string | null;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text', nullable: true })
  key!: string | null;

  /** The encoded record value, as published. */
  @Column({ type: 'bytea' })
  value!: Buffer;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
