import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeInboundOutbox1764950000000 implements MigrationInterface {
  name = 'IntakeInboundOutbox1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "intake"."inbound_messages" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "twilio_sid" text NOT NULL,
      "event" jsonb NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "published_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_inbound_messages" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "inbound_messages_twilio_sid_uq" ON "intake"."inbound_messages" ("twilio_sid")`);
    await q.query(`CREATE INDEX "inbound_messages_unpublished_idx" ON "intake"."inbound_messages" ("received_at") WHERE "published_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."inbound_messages"`);
  }
}
