import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The shared pacing limiter (AUP.SERVICE_LIMITS): when each rate bucket (a sender, a 10DLC
 * brand's share of a carrier) is free again, as planned when messages are claimed and as
 * calls really started. Rows are locked while they are read and moved on, so the rate holds
 * across any number of dispatcher instances.
 */
@Entity({ name: 'rate_buckets' })
export class RateBucketEntity {
  @PrimaryColumn({ type: 'text' })
  bucket!: string;

  /** Free again after the messages claimed so far (planning). */
  @Column({ name: 'free_at', type: 'timestamptz' })
  freeAt!: Date;

  /** Free again after the calls started so far (the check right before each call). */
  @Column({ name: 'started_free_at', type: 'timestamptz' })
  startedFreeAt!: Date;
}
