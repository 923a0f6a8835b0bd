import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A narrower send ledger, so that its rows cost less to move through their states. Each message
 * changed `dispatcher.sends` four to five times, and every change wrote the whole row again, its
 * envelope (about 1.6 kB of its 1.9) with it, and a new entry in every index, because the lease
 * a claim renewed was the indexed `updated_at`.
 *
 * - The envelope moves to `send_envelopes`, written once when the message is queued (and again
 *   only when a reviewer releases a hold made here): the state row left is about 300 bytes.
 * - A claim names the instance that holds it (`claimed_by`) and that instance keeps one lease
 *   alive in `send_instances`, instead of renewing the lease of every claim it holds. Claims in
 *   flight are found by `sends_claimed_idx`, which names no column a claim changes before its
 *   outcome: the hand-over before the call no longer touches an index and can be written beside
 *   the row's old version (a HOT update), for which the table now leaves a fifth of each page free.
 *
 * The dispatcher's instances must be stopped while this runs (a running instance of the
 * version before would write envelopes to a column that is gone): it refuses to run while one
 * holds its outbox lease. Rows in flight keep their state; claims of the stopped instances are
 * settled by the reconciler once their lease (`updated_at`) ran out, as before.
 */
export class DispatcherNarrowLedger1767000000000 implements MigrationInterface {
  name = 'DispatcherNarrowLedger1767000000000';

  async up(q: QueryRunner): Promise<void> {
    const [{ live }] = (await q.query(`SELECT count(*)::int AS live FROM "dispatcher"."outbox_instances" WHERE "alive_until" > now()`)) as [{ live: number }];
    if (live > 0) {
      throw new Error(
        `dispatcher: ${live} instance(s) of the dispatcher are running (their outbox lease is alive). Stop them (scale the deployment to 0), wait for their leases to lapse (OUTBOX_CLAIM_LEASE_MS), then migrate again: this migration moves the envelope out of dispatcher.sends.`,
      );
    }
    await q.query(`CREATE TABLE "dispatcher"."send_envelopes" (
      "message_id" uuid NOT NULL,
      "envelope" jsonb NOT NULL,
      CONSTRAINT "PK_send_envelopes" PRIMARY KEY ("message_id"))`);
    await q.query(`INSERT INTO "dispatcher"."send_envelopes" ("message_id", "envelope") SELECT "message_id", "envelope" FROM "dispatcher"."sends"`);
    await q.query(`ALTER TABLE "dispatcher"."sends" DROP COLUMN "envelope", ADD COLUMN "claimed_by" uuid`);
    await q.query(`DROP INDEX "dispatcher"."sends_in_doubt_idx"`);
    await q.query(`CREATE INDEX "sends_claimed_idx" ON "dispatcher"."sends" ("claimed_by") WHERE "state" = 'sending'`);
    await q.query(`ALTER TABLE "dispatcher"."sends" SET (fillfactor = 80)`);
    await q.query(`CREATE TABLE "dispatcher"."send_instances" (
      "id" uuid NOT NULL,
      "alive_until" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_send_instances" PRIMARY KEY ("id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dispatcher"."send_instances"`);
    await q.query(`ALTER TABLE "dispatcher"."sends" RESET (fillfactor)`);
    await q.query(`DROP INDEX "dispatcher"."sends_claimed_idx"`);
    await q.query(`CREATE INDEX "sends_in_doubt_idx" ON "dispatcher"."sends" ("updated_at") WHERE "state" = 'sending'`);
    await q.query(`ALTER TABLE "dispatcher"."sends" DROP COLUMN "claimed_by", ADD COLUMN "envelope" jsonb`);
    await q.query(`UPDATE "dispatcher"."sends" s SET "envelope" = e."envelope" FROM "dispatcher"."send_envelopes" e WHERE e."message_id" = s."message_id"`);
    await q.query(`ALTER TABLE "dispatcher"."sends" ALTER COLUMN "envelope" SET NOT NULL`);
    await q.query(`DROP TABLE "dispatcher"."send_envelopes"`);
  }
}
