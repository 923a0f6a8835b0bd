import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The dispatcher's own view of `consent.state.v1` (DESIGN principle 5): who opted out, or
 * has marketing paused pending an opt-out review, at which scope, as of when. Read right
 * before each call to Twilio.
 */
@Entity({ name: 'consent_state' })
export class ConsentStateEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'recipient_token', type: 'text' })
  recipientToken!: string;

  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @Column({ name: 'opted_out', type: 'boolean' })
  optedOut!: boolean;

  @Column({ name: 'marketing_paused', type: 'boolean', default: false })
  marketingPaused!: boolean;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
