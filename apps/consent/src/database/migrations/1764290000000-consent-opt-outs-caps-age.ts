import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Opt-outs in ordinary words with their evidence, reviews, message history for caps, age verifications. */
export class ConsentOptOutsCapsAge1764290000000 implements MigrationInterface {
  name = 'ConsentOptOutsCapsAge1764290000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consent"."consent_records" ADD "chosen_frequency" jsonb`);
    await q.query(`ALTER TABLE "consent"."opt_events" ADD "evidence" text`);
    await q.query(`ALTER TABLE "consent"."opt_events" ADD "confidence" real`);
    await q.query(`ALTER TABLE "consent"."opt_events" ADD "reply_message_id" uuid`);
    await q.query(`DROP INDEX "consent"."opt_events_inbound_uq"`);
    await q.query(`CREATE UNIQUE INDEX "opt_events_inbound_uq" ON "consent"."opt_events" ("inbound_twilio_sid", "kind") WHERE "inbound_twilio_sid" IS NOT NULL`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" ADD "body" text NOT NULL DEFAULT ''`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" ADD "from_number" text NOT NULL DEFAULT ''`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" ADD "classification" jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" ADD "reply_message_id" uuid`);
    await q.query(`CREATE TABLE "consent"."opt_out_reviews" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "scope" text NOT NULL,
      "inbound_twilio_sid" text NOT NULL,
      "status" text NOT NULL,
      "evidence" text,
      "confidence" real NOT NULL,
      "decided_by" text,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      "note" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_opt_out_reviews" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "opt_out_reviews_inbound_uq" ON "consent"."opt_out_reviews" ("inbound_twilio_sid")`);
    await q.query(`CREATE INDEX "opt_out_reviews_pending_idx" ON "consent"."opt_out_reviews" ("tenant_id", "created_at") WHERE "status" = 'pending'`);
    await q.query(`CREATE TABLE "consent"."message_decisions" (
      "message_id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "brand" text NOT NULL,
      "campaign" text NOT NULL,
      "use_case" text NOT NULL,
      "sender" text,
      "opt_out_language" boolean NOT NULL,
      "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "sent_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_message_decisions" PRIMARY KEY ("message_id"))`);
    await q.query(`CREATE INDEX "message_decisions_recipient_idx" ON "consent"."message_decisions" ("tenant_id", "recipient_token", "decided_at")`);
    await q.query(`CREATE TABLE "consent"."recipient_activity" (
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "brand" text NOT NULL,
      "first_sent_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "last_sent_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_recipient_activity" PRIMARY KEY ("tenant_id", "recipient_token", "brand"))`);
    await q.query(`CREATE TABLE "consent"."age_verifications" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "date_of_birth" date NOT NULL,
      "method" text NOT NULL,
      "reference" text,
      "verified_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_age_verifications" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "age_verifications_recipient_idx" ON "consent"."age_verifications" ("tenant_id", "recipient_token", "verified_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "consent"."age_verifications"`);
    await q.query(`DROP TABLE "consent"."recipient_activity"`);
    await q.query(`DROP TABLE "consent"."message_decisions"`);
    await q.query(`DROP TABLE "consent"."opt_out_reviews"`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" DROP COLUMN "reply_message_id"`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" DROP COLUMN "classification"`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" DROP COLUMN "from_number"`);
    await q.query(`ALTER TABLE "consent"."inbound_messages" DROP COLUMN "body"`);
    await q.query(`DROP INDEX "consent"."opt_events_inbound_uq"`);
    await q.query(`CREATE UNIQUE INDEX "opt_events_inbound_uq" ON "consent"."opt_events" ("inbound_twilio_sid") WHERE "inbound_twilio_sid" IS NOT NULL`);
    await q.query(`ALTER TABLE "consent"."opt_events" DROP COLUMN "reply_message_id"`);
    await q.query(`ALTER TABLE "consent"."opt_events" DROP COLUMN "confidence"`);
    await q.query(`ALTER TABLE "consent"."opt_events" DROP COLUMN "evidence"`);
    await q.query(`ALTER TABLE "consent"."consent_records" DROP COLUMN "chosen_frequency"`);
  }
}
