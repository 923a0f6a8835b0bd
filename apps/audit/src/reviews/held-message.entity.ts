import type { ReviewStatus } from '@sms/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Messages a stage held, waiting for a reviewer: the envelope (to release it where it
 * stopped), why, and who decided what. A work queue, not history: the decisions themselves
 * are appended to the message's history.
 */
@Entity({ name: 'held_messages' })
@Index('held_messages_pending_idx', ['tenantId', 'heldAt'], { where: `"status" = 'pending'` })
export class HeldMessageEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  stage!: string;

  @Column({ type: 'jsonb' })
  envelope!: unknown;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', array: true })
  clauses!: string[];

  @Column({ name: 'held_at', type: 'timestamptz' })
  heldAt!: Date;

  @Column({ type: 'text' })
  status!: ReviewStatus;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;
}
