import type { MigrationInterface, QueryRunner } from 'typeorm';
import { GENESIS, link } from '../../rules/hash-chain.js';
import { contentFromRow } from '../../history/history-content.js';

/**
 * Hash-chains each tenant's history (AUP.REPORTING), adds consent changes with their proof,
 * tenant events (suspensions), and the queue of held messages for review. Rows written before
 * this migration are chained here, in the order they were recorded.
 */
export class AuditChainConsentReviews1764300000000 implements MigrationInterface {
  name = 'AuditChainConsentReviews1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit"."chain_heads" (
      "tenant_id" text NOT NULL,
      "seq" bigint NOT NULL,
      "hash" text NOT NULL,
      CONSTRAINT "PK_chain_heads" PRIMARY KEY ("tenant_id"))`);
    await q.query(`ALTER TABLE "audit"."message_events" ADD "campaign" text`);
    await q.query(`ALTER TABLE "audit"."message_events" ADD "seq" bigint`);
    await q.query(`ALTER TABLE "audit"."message_events" ADD "hash" text`);

    // Chain what is already there; the append-only trigger is off for this one backfill.
    await q.query(`ALTER TABLE "audit"."message_events" DISABLE TRIGGER "message_events_append_only"`);
    const rows = (await q.query(`SELECT id, tenant_id, to_jsonb(e) AS row FROM "audit"."message_events" e ORDER BY "tenant_id", "recorded_at", "id"`)) as {
      id: string;
      tenant_id: string;
      row: Record<string, unknown>;
    }[];
    const byTenant = new Map<string, typeof rows>();
    for (const row of rows) byTenant.set(row.tenant_id, [...(byTenant.get(row.tenant_id) ?? []), row]);
    for (const [tenantId, list] of byTenant) {
      const { links, head } = link(
        GENESIS,
        list.map((r) => contentFromRow('message_events', r.row)),
      );
      for (const [i, r] of list.entries()) {
        await q.query(`UPDATE "audit"."message_events" SET "seq" = $1, "hash" = $2 WHERE "id" = $3`, [links[i]!.seq, links[i]!.hash, r.id]);
      }
      await q.query(`INSERT INTO "audit"."chain_heads" ("tenant_id", "seq", "hash") VALUES ($1, $2, $3)`, [tenantId, head.seq, head.hash]);
    }
    await q.query(`ALTER TABLE "audit"."message_events" ENABLE TRIGGER "message_events_append_only"`);
    await q.query(`ALTER TABLE "audit"."message_events" ALTER COLUMN "seq" SET NOT NULL`);
    await q.query(`ALTER TABLE "audit"."message_events" ALTER COLUMN "hash" SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX "message_events_chain_uq" ON "audit"."message_events" ("tenant_id", "seq")`);
    await q.query(`CREATE INDEX "message_events_violations_idx" ON "audit"."message_events" ("tenant_id", "occurred_at") WHERE "decision" = 'block'`);

    await q.query(`CREATE TABLE "audit"."consent_events" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "change_id" text NOT NULL,
      "recipient_token" text NOT NULL,
      "kind" text NOT NULL,
      "brand" text,
      "campaign" text,
      "scope" text,
      "basis" text,
      "source" text NOT NULL,
      "proof" jsonb NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "seq" bigint NOT NULL,
      "hash" text NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_consent_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "consent_events_change_uq" ON "audit"."consent_events" ("tenant_id", "change_id")`);
    await q.query(`CREATE INDEX "consent_events_recipient_idx" ON "audit"."consent_events" ("tenant_id", "recipient_token", "occurred_at")`);
    await q.query(`CREATE UNIQUE INDEX "consent_events_chain_uq" ON "audit"."consent_events" ("tenant_id", "seq")`);

    await q.query(`CREATE TABLE "audit"."tenant_events" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "event_id" text NOT NULL,
      "kind" text NOT NULL,
      "campaign" text,
      "reason" text NOT NULL,
      "actor" text NOT NULL,
      "facts" jsonb NOT NULL DEFAULT '{}',
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "seq" bigint NOT NULL,
      "hash" text NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_tenant_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "tenant_events_event_uq" ON "audit"."tenant_events" ("tenant_id", "event_id")`);
    await q.query(`CREATE UNIQUE INDEX "tenant_events_chain_uq" ON "audit"."tenant_events" ("tenant_id", "seq")`);
    for (const table of ['consent_events', 'tenant_events']) {
      await q.query(`CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "audit"."${table}" FOR EACH ROW EXECUTE FUNCTION "audit"."refuse_change"()`);
      await q.query(`CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "audit"."${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"()`);
    }

    await q.query(`CREATE TABLE "audit"."held_messages" (
      "message_id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "stage" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "reason" text NOT NULL,
      "clauses" text array NOT NULL,
      "held_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "status" text NOT NULL,
      "decided_by" text,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      "note" text,
      CONSTRAINT "PK_held_messages" PRIMARY KEY ("message_id"))`);
    await q.query(`CREATE INDEX "held_messages_pending_idx" ON "audit"."held_messages" ("tenant_id", "held_at") WHERE "status" = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit"."held_messages"`);
    await q.query(`DROP TABLE "audit"."tenant_events"`);
    await q.query(`DROP TABLE "audit"."consent_events"`);
    await q.query(`DROP INDEX "audit"."message_events_chain_uq"`);
    await q.query(`ALTER TABLE "audit"."message_events" DROP COLUMN "hash"`);
    await q.query(`ALTER TABLE "audit"."message_events" DROP COLUMN "seq"`);
    await q.query(`ALTER TABLE "audit"."message_events" DROP COLUMN "campaign"`);
    await q.query(`DROP INDEX "audit"."message_events_violations_idx"`);
    await q.query(`DROP TABLE "audit"."chain_heads"`);
  }
}
