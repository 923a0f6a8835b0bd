import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far the inbound reconciler got: one row, up to when its last completed run recorded (the
 * run's start less INBOUND_RECONCILE_GRACE_MS). The next
 * run lists Twilio's inbound messages dated from a little before it (INBOUND_RECONCILE_OVERLAP_MS).
 */
@Entity({ name: 'inbound_reconcile_state' })
export class InboundReconcileStateEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'timestamptz' })
  watermark!: Date;
}
