import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ChainedRecord } from './chained-record.js';

/** The end of each tenant's hash chain: the last sequence number and hash. */
@Entity({ name: 'chain_heads' })
export class ChainHeadEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'text' })
  hash!: string;
}

/** A change of a person's consent with its proof (MP.CONSENT.PROOF). Append-only, chained. */
@Entity({ name: 'consent_events' })
@Index('consent_events_change_uq', ['tenantId', 'changeId'], { unique: true })
@Index('consent_events_recipient_idx', ['tenantId', 'recipientToken', 'occurredAt'])
export class ConsentEventEntity extends ChainedRecord {
  @Column({ name: 'change_id', type: 'text' })
  changeId!: string;

  @Column({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text', nullable: true })
  brand!: string | null;

  @Column({ type: 'text', nullable: true })
  campaign!: string | null;

  @Column({ type: 'text', nullable: true })
  scope!: string | null;

  @Column({ type: 'text', nullable: true })
  basis!: string | null;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'jsonb' })
  proof!: Record<string, unknown>;
}

/** Suspensions of a tenant or campaign and their lifting (MP.ISV, MP.ENFORCEMENT). Append-only, chained. */
@Entity({ name: 'tenant_events' })
@Index('tenant_events_event_uq', ['tenantId', 'eventId'], { unique: true })
export class TenantEventEntity extends ChainedRecord {
  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text', nullable: true })
  campaign!: string | null;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  facts!: Record<string, unknown>;
}
