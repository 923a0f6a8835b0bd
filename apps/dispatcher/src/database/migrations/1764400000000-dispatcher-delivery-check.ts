import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the dispatcher last asked Twilio for the delivery state of a send whose callbacks are missing. */
export class DispatcherDeliveryCheck1764400000000 implements MigrationInterface {
  name = 'DispatcherDeliveryCheck1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatcher"."sends" ADD COLUMN "delivery_checked_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE INDEX "sends_awaiting_delivery_idx" ON "dispatcher"."sends" ("accepted_at") WHERE "state" = 'accepted' AND ("delivery_status" IS NULL OR "delivery_status" = 'sent')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dispatcher"."sends_awaiting_delivery_idx"`);
    await q.query(`ALTER TABLE "dispatcher"."sends" DROP COLUMN "delivery_checked_at"`);
  }
}
