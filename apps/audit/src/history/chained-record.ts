import { Column, PrimaryColumn } from 'typeorm';

/**
 * A record of a tenant's hash chain: message, consent and tenant events share one chain per
 * tenant, each record at its position with the hash that links it to the one before. The
 * position is the key: a record needs no identity of its own, and a random one cost every
 * insert a write at a random place of one more index.
 */
export abstract class ChainedRecord {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** Position in the tenant's hash chain (shared with consent and tenant events). */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  /** SHA-256 of the previous record's hash and this record's content. */
  @Column({ type: 'text' })
  hash!: string;
}
