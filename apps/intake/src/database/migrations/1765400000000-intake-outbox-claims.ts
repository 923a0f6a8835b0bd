import { sqlMigration } from '@sms/database';

export const IntakeOutboxClaims1765400000000 = sqlMigration('IntakeOutboxClaims1765400000000', {
  up: [
    `CREATE TABLE "intake"."outbox_instances" (
      "id" uuid NOT NULL,
      "alive_until" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_outbox_instances" PRIMARY KEY ("id"))`,
    `ALTER TABLE "intake"."accepted_messages" ADD "claimed_by" uuid`,
    `ALTER TABLE "intake"."inbound_messages" ADD "claimed_by" uuid`,
  ],
  down: [`ALTER TABLE "intake"."inbound_messages" DROP COLUMN "claimed_by"`, `ALTER TABLE "intake"."accepted_messages" DROP COLUMN "claimed_by"`, `DROP TABLE "intake"."outbox_instances"`],
});
