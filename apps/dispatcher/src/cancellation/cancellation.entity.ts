import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A cancel request and the ledger's answer (docs/dispatcher.md, "Cancelling"). */
@Entity({ name: 'cancellations' })
@Index('cancellations_message_idx', ['messageId', 'tenantId'], { where: `"outcome" = 'cancelled'` })
export class CancellationEntity {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  /** The tenant the request named: it stops only that tenant's message of this id. */
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'requested_by', type: 'jsonb' })
  requestedBy!: unknown;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  /** `cancelled` or `refused`; null only inside the transaction that decides. */
  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ name: 'outcome_reason', type: 'text', nullable: true })
  outcomeReason!: string | null;

  /** The status published with the answer. */
  @Column({ name: 'outcome_status', type: 'text', nullable: true })
  outcomeStatus!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
