import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dispatcher's outbox: every outcome it decides (statuses, stopped envelopes, alerts) is
 * written here in the transaction that writes the outcome, and published from here, so that a
 * crash between the commit and the broker's acknowledgement loses none of them.
 */
export class DispatcherOutbox1765500000000 implements MigrationInterface {
  name = 'DispatcherOutbox1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dispatcher"."outbox" (
      "id" BIGSERIAL NOT NULL,
      "message_id" uuid,
      "topic" text NOT NULL,
      "key" text,
      "value" bytea NOT NULL,
      "headers" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "claimed_by" uuid,
      "published_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_outbox" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "outbox_unpublished_idx" ON "dispatcher"."outbox" ("id") WHERE "published_at" IS NULL`);
    await q.query(`CREATE INDEX "outbox_message_idx" ON "dispatcher"."outbox" ("message_id")`);
    await q.query(`CREATE INDEX "outbox_published_idx" ON "dispatcher"."outbox" ("published_at")`);
    await q.query(`CREATE TABLE "dispatcher"."outbox_instances" (
      "id" uuid NOT NULL,
      "alive_until" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_outbox_instances" PRIMARY KEY ("id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dispatcher"."outbox_instances"`);
    await q.query(`DROP TABLE "dispatcher"."outbox"`);
  }
}
