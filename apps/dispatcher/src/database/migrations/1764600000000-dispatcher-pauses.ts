import { sqlMigration } from '@sms/database';

/**
 * Pauses of the whole account or of one sender after Twilio's errors about them (daily limit,
 * unregistered or unverified sender, carrier rate, full queue), and the attempts such a pause
 * answered, which do not count against SEND_MAX_ATTEMPTS: the message was never the problem.
 */
export const DispatcherPauses1764600000000 = sqlMigration('DispatcherPauses1764600000000', {
  up: [
    `CREATE TABLE "dispatcher"."send_pauses" (
      "scope" text NOT NULL,
      "code" integer NOT NULL,
      "reason" text NOT NULL,
      "since" TIMESTAMP WITH TIME ZONE NOT NULL,
      "until" TIMESTAMP WITH TIME ZONE,
      "hits" integer NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_send_pauses" PRIMARY KEY ("scope"))`,
    `ALTER TABLE "dispatcher"."sends" ADD COLUMN "paused_attempts" integer NOT NULL DEFAULT 0`,
  ],
  down: [`ALTER TABLE "dispatcher"."sends" DROP COLUMN "paused_attempts"`, `DROP TABLE "dispatcher"."send_pauses"`],
});
