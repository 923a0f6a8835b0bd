import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConsentInitial1764270000000 implements MigrationInterface {
  name = 'ConsentInitial1764270000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "consent"."consent_records" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "brand" text NOT NULL,
      "campaign" text NOT NULL,
      "recipient" text NOT NULL,
      "recipient_token" text NOT NULL,
      "basis" text NOT NULL,
      "source" text NOT NULL,
      "captured_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "wording" text NOT NULL,
      "wording_hash" text NOT NULL,
      "wording_version" text,
      "evidence" jsonb NOT NULL,
      "channel" text NOT NULL,
      "capture_id" text,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_consent_records" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "consent_records_recipient_idx" ON "consent"."consent_records" ("tenant_id", "recipient_token")`);
    await q.query(`CREATE UNIQUE INDEX "consent_records_capture_uq" ON "consent"."consent_records" ("tenant_id", "capture_id") WHERE "capture_id" IS NOT NULL`);
    await q.query(`CREATE TABLE "consent"."opt_events" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "scope" text NOT NULL,
      "kind" text NOT NULL,
      "source" text NOT NULL,
      "keyword" text,
      "inbound_twilio_sid" text,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_opt_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "opt_events_recipient_idx" ON "consent"."opt_events" ("tenant_id", "recipient_token", "scope", "at")`);
    await q.query(`CREATE UNIQUE INDEX "opt_events_inbound_uq" ON "consent"."opt_events" ("inbound_twilio_sid") WHERE "inbound_twilio_sid" IS NOT NULL`);
    await q.query(`CREATE TABLE "consent"."inbound_messages" (
      "twilio_sid" text NOT NULL,
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "sender" text NOT NULL,
      "intent" text NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_inbound_messages" PRIMARY KEY ("twilio_sid"))`);
    await q.query(`CREATE INDEX "inbound_messages_recipient_idx" ON "consent"."inbound_messages" ("tenant_id", "recipient_token", "received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "consent"."inbound_messages"`);
    await q.query(`DROP TABLE "consent"."opt_events"`);
    await q.query(`DROP TABLE "consent"."consent_records"`);
  }
}
