import { sqlMigration } from '@sms/database';

/**
 * The detector's first table: the verdict given to each message, once, so that a redelivery
 * repeats it after Redis forgot it (expiry, a restart without AOF). Pruned by decided_at.
 */
export const SnowshoeDecisions1766100000000 = sqlMigration('SnowshoeDecisions1766100000000', {
  up: [
    `CREATE TABLE "snowshoe"."decisions" (
      "message_id" uuid NOT NULL,
      "verdicts_before" integer NOT NULL,
      "decision" jsonb NOT NULL,
      "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_decisions" PRIMARY KEY ("message_id", "verdicts_before"))`,
    `CREATE INDEX "decisions_decided_at_idx" ON "snowshoe"."decisions" ("decided_at")`,
  ],
  down: [`DROP TABLE "snowshoe"."decisions"`],
});
