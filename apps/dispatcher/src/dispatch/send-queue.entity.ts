import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per sender with messages waiting: when it is next worth looking at. A dispatcher
 * instance locks the rows of the senders it works on (skipping locked ones), so N instances
 * share the senders without taking the same one at the same moment.
 */
@Entity({ name: 'send_queues' })
@Index('send_queues_next_idx', ['nextAt'])
export class SendQueueEntity {
  @PrimaryColumn({ name: 'sender_key', type: 'text' })
  senderKey!: string;

  @Column({ name: 'next_at', type: 'timestamptz' })
  nextAt!: Date;
}
