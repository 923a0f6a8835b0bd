import { Column, PrimaryColumn } from 'typeorm';

/**
 * The columns every tenant's record of the services' schemas starts with: its own uuid and the
 * tenant it belongs to. An entity extends it (TypeORM takes the columns of a base class that is
 * not an entity itself); what the row is about follows in the entity.
 */
export abstract class TenantRecord {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;
}

/** A tenant's record about one person, known only by the recipient token (keyed hash of tenant and number). */
export abstract class RecipientRecord extends TenantRecord {
  @Column({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;
}
