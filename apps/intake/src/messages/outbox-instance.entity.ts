import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The intake instances alive now: each renews its row while it runs. An outbox row claimed by
 * an instance listed here is being published by it and is left alone by every relay; one
 * whose claimant's row lapsed (it died) or that nobody claims is the relay's to publish.
 */
@Entity({ name: 'outbox_instances' })
export class OutboxInstanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'alive_until', type: 'timestamptz' })
  aliveUntil!: Date;
}
