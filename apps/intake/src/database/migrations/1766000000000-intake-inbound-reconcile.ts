import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeInboundReconcile1766000000000 implements MigrationInterface {
  name = 'IntakeInboundReconcile1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "intake"."inbound_reconcile_state" (
      "id" smallint NOT NULL,
      "watermark" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_inbound_reconcile_state" PRIMARY KEY ("id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."inbound_reconcile_state"`);
  }
}
