import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Sending paused for the whole Twilio account ("account") or one sender (a sender key), because
 * Twilio answered an error about it rather than about a message (63038, 30022, 30032, 30034,
 * 21611): claim rounds skip what is paused, and its messages wait in the queue. A row whose
 * `until` has passed is an ended pause, kept so that one recurring soon after waits longer.
 */
@Entity({ name: 'send_pauses' })
export class SendPauseEntity {
  /** "account", or the sender key "<tenant>|<number or messaging service>". */
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  /** The Twilio error code that paused it. */
  @Column({ type: 'integer' })
  code!: number;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'timestamptz' })
  since!: Date;

  /** When sending may resume; null: when an operator clears the pause. */
  @Column({ type: 'timestamptz', nullable: true })
  until!: Date | null;

  /** How many times in a row it paused (a recurring pause waits longer). */
  @Column({ type: 'integer' })
  hits!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
