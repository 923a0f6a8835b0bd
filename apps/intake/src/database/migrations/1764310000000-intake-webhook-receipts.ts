import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeWebhookReceipts1764310000000 implements MigrationInterface {
  name = 'IntakeWebhookReceipts1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "intake"."webhook_receipts" (
      "key" text NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_webhook_receipts" PRIMARY KEY ("key"))`);
    await q.query(`CREATE INDEX "webhook_receipts_received_idx" ON "intake"."webhook_receipts" ("received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."webhook_receipts"`);
  }
}
