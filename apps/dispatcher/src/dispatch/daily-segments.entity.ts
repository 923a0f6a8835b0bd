import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Segments counted against a daily cap (T-Mobile's per 10DLC brand), per cap and local day. */
@Entity({ name: 'daily_segments' })
export class DailySegmentsEntity {
  /** The cap and its day: "tmobile:<tenant>|<brand>@2026-11-27". */
  @PrimaryColumn({ type: 'text' })
  counter!: string;

  @Column({ type: 'integer' })
  segments!: number;

  /** Whether the alert that the cap was reached went out. */
  @Column({ type: 'boolean' })
  alerted!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
