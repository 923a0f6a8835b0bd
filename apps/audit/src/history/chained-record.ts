import { TenantRecord } from '@sms/database';
import { Column } from 'typeorm';

/**
 * A record of a tenant's hash chain: message, consent and tenant events share one chain per
 * tenant, each record at its position with the hash that links it to the one before.
 */
export abstract class ChainedRecord extends TenantRecord {
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  /** Position in the tenant's hash chain (shared with consent and tenant events). */
  @Column({ type: 'bigint' })
  seq!: string;

  /** SHA-256 of the previous record's hash and this record's content. */
  @Column({ type: 'text' })
  hash!: string;
}
