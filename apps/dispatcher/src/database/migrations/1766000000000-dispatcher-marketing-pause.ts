import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent-state view learns of pauses: marketing to a person whose unclear reply awaits an
 * opt-out review is held at the last moment (MP.OPTOUT.HONOR), not sent.
 */
export class DispatcherMarketingPause1766000000000 implements MigrationInterface {
  name = 'DispatcherMarketingPause1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatcher"."consent_state" ADD "marketing_paused" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatcher"."consent_state" DROP COLUMN "marketing_paused"`);
  }
}
