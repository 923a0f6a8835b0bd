import { sqlMigration } from '@sms/database';

/**
 * The dispatcher's outbox: every outcome it decides (statuses, stopped envelopes, alerts) is
 * written here in the transaction that writes the outcome, and published from here, so that a
 * crash between the commit and the broker's acknowledgement loses none of them.
 */
export const DispatcherOutbox1765500000000 = sqlMigration('DispatcherOutbox1765500000000', {
  up: [
    `CREATE TABLE "dispatcher"."outbox" (
      "id" BIGSERIAL NOT NULL,
      "message_id" uuid,
      "topic" text NOT NULL,
      "key" text,
      "value" bytea NOT NULL,
      "headers" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "claimed_by" uuid,
      "published_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_outbox" PRIMARY KEY ("id"))`,
    `CREATE INDEX "outbox_unpublished_idx" ON "dispatcher"."outbox" ("id") WHERE "published_at" IS NULL`,
    `CREATE INDEX "outbox_message_idx" ON "dispatcher"."outbox" ("message_id")`,
    `CREATE INDEX "outbox_published_idx" ON "dispatcher"."outbox" ("published_at")`,
    `CREATE TABLE "dispatcher"."outbox_instances" (
      "id" uuid NOT NULL,
      "alive_until" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_outbox_instances" PRIMARY KEY ("id"))`,
  ],
  down: [`DROP TABLE "dispatcher"."outbox_instances"`, `DROP TABLE "dispatcher"."outbox"`],
});
