import { sqlMigration } from '@sms/database';

export const IntakeWebhookReceipts1764310000000 = sqlMigration('IntakeWebhookReceipts1764310000000', {
  up: [
    `CREATE TABLE "intake"."webhook_receipts" (
      "key" text NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_webhook_receipts" PRIMARY KEY ("key"))`,
    `CREATE INDEX "webhook_receipts_received_idx" ON "intake"."webhook_receipts" ("received_at")`,
  ],
  down: [`DROP TABLE "intake"."webhook_receipts"`],
});
