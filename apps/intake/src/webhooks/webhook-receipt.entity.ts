import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Twilio webhooks already handled, so that a replay is refused. */
@Entity({ name: 'webhook_receipts' })
@Index('webhook_receipts_received_idx', ['receivedAt'])
export class WebhookReceiptEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
