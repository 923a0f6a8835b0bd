import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeOutboxClaims1765400000000 implements MigrationInterface {
  name = 'IntakeOutboxClaims1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "intake"."outbox_instances" (
      "id" uuid NOT NULL,
      "alive_until" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_outbox_instances" PRIMARY KEY ("id"))`);
    await q.query(`ALTER TABLE "intake"."accepted_messages" ADD "claimed_by" uuid`);
    await q.query(`ALTER TABLE "intake"."inbound_messages" ADD "claimed_by" uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "intake"."inbound_messages" DROP COLUMN "claimed_by"`);
    await q.query(`ALTER TABLE "intake"."accepted_messages" DROP COLUMN "claimed_by"`);
    await q.query(`DROP TABLE "intake"."outbox_instances"`);
  }
}
