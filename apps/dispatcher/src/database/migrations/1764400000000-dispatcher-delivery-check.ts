import { sqlMigration } from '@sms/database';

/** When the dispatcher last asked Twilio for the delivery state of a send whose callbacks are missing. */
export const DispatcherDeliveryCheck1764400000000 = sqlMigration('DispatcherDeliveryCheck1764400000000', {
  up: [
    `ALTER TABLE "dispatcher"."sends" ADD COLUMN "delivery_checked_at" TIMESTAMP WITH TIME ZONE`,
    `CREATE INDEX "sends_awaiting_delivery_idx" ON "dispatcher"."sends" ("accepted_at") WHERE "state" = 'accepted' AND ("delivery_status" IS NULL OR "delivery_status" = 'sent')`,
  ],
  down: [`DROP INDEX "dispatcher"."sends_awaiting_delivery_idx"`, `ALTER TABLE "dispatcher"."sends" DROP COLUMN "delivery_checked_at"`],
});
