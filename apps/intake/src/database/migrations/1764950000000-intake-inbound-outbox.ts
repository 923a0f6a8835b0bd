import { sqlMigration } from '@sms/database';

export const IntakeInboundOutbox1764950000000 = sqlMigration('IntakeInboundOutbox1764950000000', {
  up: [
    `CREATE TABLE "intake"."inbound_messages" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "twilio_sid" text NOT NULL,
      "event" jsonb NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "published_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_inbound_messages" PRIMARY KEY ("id"))`,
    `CREATE UNIQUE INDEX "inbound_messages_twilio_sid_uq" ON "intake"."inbound_messages" ("twilio_sid")`,
    `CREATE INDEX "inbound_messages_unpublished_idx" ON "intake"."inbound_messages" ("received_at") WHERE "published_at" IS NULL`,
  ],
  down: [`DROP TABLE "intake"."inbound_messages"`],
});
