import { sqlMigration } from '@sms/database';

export const DispatcherInitial1764270000000 = sqlMigration('DispatcherInitial1764270000000', {
  up: [
    `CREATE TABLE "dispatcher"."sends" (
      "message_id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "state" text NOT NULL,
      "twilio_sid" text,
      "attempts" integer NOT NULL DEFAULT 1,
      "error_code" integer,
      "error_message" text,
      "envelope" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_sends" PRIMARY KEY ("message_id"))`,
    `CREATE INDEX "sends_in_doubt_idx" ON "dispatcher"."sends" ("updated_at") WHERE "state" = 'sending'`,
    `CREATE TABLE "dispatcher"."consent_state" (
      "tenant_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "scope" text NOT NULL,
      "opted_out" boolean NOT NULL,
      "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_consent_state" PRIMARY KEY ("tenant_id", "recipient_token", "scope"))`,
  ],
  down: [`DROP TABLE "dispatcher"."consent_state"`, `DROP TABLE "dispatcher"."sends"`],
});
