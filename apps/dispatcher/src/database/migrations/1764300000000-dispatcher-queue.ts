import { sqlMigration } from '@sms/database';

/** The durable send queue (deferrals and pacing), the shared rate limiter and daily caps. */
export const DispatcherQueue1764300000000 = sqlMigration('DispatcherQueue1764300000000', {
  up: [
    // Rows of the first version were all sent at once: they keep defaults that say so.
    `ALTER TABLE "dispatcher"."sends"
      ADD COLUMN "sender_key" text NOT NULL DEFAULT '',
      ADD COLUMN "priority" integer NOT NULL DEFAULT 1,
      ADD COLUMN "due_at" TIMESTAMP WITH TIME ZONE,
      ADD COLUMN "segments" integer NOT NULL DEFAULT 1,
      ADD COLUMN "kind" text NOT NULL DEFAULT 'standard',
      ADD COLUMN "recipient_token" text,
      ADD COLUMN "traceparent" text,
      ADD COLUMN "deferral" text,
      ADD COLUMN "delivery_status" text,
      ADD COLUMN "delivery_error_code" integer,
      ADD COLUMN "accepted_at" TIMESTAMP WITH TIME ZONE,
      ADD COLUMN "started_at" TIMESTAMP WITH TIME ZONE`,
    `ALTER TABLE "dispatcher"."sends"
      ALTER COLUMN "sender_key" DROP DEFAULT,
      ALTER COLUMN "priority" DROP DEFAULT,
      ALTER COLUMN "segments" DROP DEFAULT,
      ALTER COLUMN "kind" DROP DEFAULT,
      ALTER COLUMN "attempts" SET DEFAULT 0`,
    `CREATE INDEX "sends_queued_idx" ON "dispatcher"."sends" ("sender_key", "priority", "due_at") WHERE "state" = 'queued'`,
    `CREATE INDEX "sends_at_twilio_idx" ON "dispatcher"."sends" ("sender_key", "accepted_at") WHERE "state" = 'accepted' AND "delivery_status" IS NULL`,
    `CREATE INDEX "sends_confirmations_idx" ON "dispatcher"."sends" ("tenant_id", "recipient_token") WHERE "kind" = 'opt_out_confirmation'`,
    `CREATE TABLE "dispatcher"."send_queues" (
      "sender_key" text NOT NULL,
      "next_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_send_queues" PRIMARY KEY ("sender_key"))`,
    `CREATE INDEX "send_queues_next_idx" ON "dispatcher"."send_queues" ("next_at")`,
    `CREATE TABLE "dispatcher"."rate_buckets" (
      "bucket" text NOT NULL,
      "free_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "started_free_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_rate_buckets" PRIMARY KEY ("bucket"))`,
    `CREATE TABLE "dispatcher"."daily_segments" (
      "counter" text NOT NULL,
      "segments" integer NOT NULL,
      "alerted" boolean NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_daily_segments" PRIMARY KEY ("counter"))`,
  ],
  down: [
    `DROP TABLE "dispatcher"."daily_segments"`,
    `DROP TABLE "dispatcher"."rate_buckets"`,
    `DROP TABLE "dispatcher"."send_queues"`,
    `DROP INDEX "dispatcher"."sends_confirmations_idx"`,
    `DROP INDEX "dispatcher"."sends_at_twilio_idx"`,
    `DROP INDEX "dispatcher"."sends_queued_idx"`,
    `ALTER TABLE "dispatcher"."sends" ALTER COLUMN "attempts" SET DEFAULT 1`,
    `ALTER TABLE "dispatcher"."sends"
      DROP COLUMN "started_at", DROP COLUMN "accepted_at", DROP COLUMN "delivery_error_code", DROP COLUMN "delivery_status", DROP COLUMN "deferral",
      DROP COLUMN "traceparent", DROP COLUMN "recipient_token", DROP COLUMN "kind", DROP COLUMN "segments",
      DROP COLUMN "due_at", DROP COLUMN "priority", DROP COLUMN "sender_key"`,
  ],
});
