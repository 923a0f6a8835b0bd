import { sqlMigration } from '@sms/database';

export const IntakeInboundReconcile1766000000000 = sqlMigration('IntakeInboundReconcile1766000000000', {
  up: [
    `CREATE TABLE "intake"."inbound_reconcile_state" (
      "id" smallint NOT NULL,
      "watermark" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_inbound_reconcile_state" PRIMARY KEY ("id"))`,
  ],
  down: [`DROP TABLE "intake"."inbound_reconcile_state"`],
});
