import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far the inbound reconciler got: one row, the start of its last completed run. The next
 * run lists Twilio's inbound messages dated from a little before it (INBOUND_RECONCILE_OVERLAP_MS).
 */
@Entity({ name: 'inbound_reconcile_state' })
export class InboundReconcileStateEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'timestamptz' })
  watermark!: Date;
}
