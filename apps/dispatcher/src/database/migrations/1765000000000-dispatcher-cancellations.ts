import { sqlMigration } from '@sms/database';

/**
 * Cancellations. Every cancel request is kept with who asked and what the ledger answered; a
 * request for a message not yet in the ledger (still in the pipeline, or held for review)
 * waits here and stops the message when it comes. `handed_attempt` is the attempt whose call
 * to Twilio began: from that moment the message cannot be cancelled.
 */
export const DispatcherCancellations1765000000000 = sqlMigration('DispatcherCancellations1765000000000', {
  up: [
    `ALTER TABLE "dispatcher"."sends" ADD COLUMN "handed_attempt" integer`,
    `CREATE TABLE "dispatcher"."cancellations" (
      "request_id" uuid NOT NULL,
      "message_id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "requested_by" jsonb NOT NULL,
      "reason" text,
      "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "outcome" text,
      "outcome_reason" text,
      "outcome_status" text,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_cancellations" PRIMARY KEY ("request_id"))`,
    `CREATE INDEX "cancellations_message_idx" ON "dispatcher"."cancellations" ("message_id", "tenant_id") WHERE "outcome" = 'cancelled'`,
  ],
  down: [`DROP TABLE "dispatcher"."cancellations"`, `ALTER TABLE "dispatcher"."sends" DROP COLUMN "handed_attempt"`],
});
