import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The verdict the detector gave a message at one step of its way (the number of verdicts it
 * carried when it came), written once, before the message is published: a redelivered message,
 * however late and whatever Redis still knows, gets this verdict again and is not counted again.
 * Kept for SNOWSHOE_DECISION_RETENTION_MS, far longer than a message can come back.
 */
@Entity({ name: 'decisions' })
@Index('decisions_decided_at_idx', ['decidedAt'])
export class DecisionEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  /** Verdicts the envelope carried before this one: the same message back after a review is a new question. */
  @PrimaryColumn({ name: 'verdicts_before', type: 'integer' })
  verdictsBefore!: number;

  /** What a redelivery repeats: the verdict, its cluster and the distinct senders it counted. */
  @Column({ type: 'jsonb' })
  decision!: unknown;

  @Column({ name: 'decided_at', type: 'timestamptz', default: () => 'now()' })
  decidedAt!: Date;
}
