import { sqlMigration } from '@sms/database';

const CHAINED = ['message_events', 'consent_events', 'tenant_events'] as const;

/**
 * The chained tables are keyed by their place in the tenant's chain, (tenant, seq), which was
 * already unique. Their random `id`, which nothing read, goes: it cost every insert a write at
 * a random page of one more index. Only the catalog changes: the unique index becomes the
 * primary key as it is, and a dropped column is not rewritten.
 */
export const AuditChainPositionKey1765130000000 = sqlMigration('AuditChainPositionKey1765130000000', {
  up: CHAINED.flatMap((table) => [
    `ALTER TABLE "audit"."${table}" DROP CONSTRAINT "PK_${table}"`,
    `ALTER TABLE "audit"."${table}" ADD CONSTRAINT "PK_${table}" PRIMARY KEY USING INDEX "${table}_chain_uq"`,
    `ALTER TABLE "audit"."${table}" DROP COLUMN "id"`,
  ]),
  down: CHAINED.flatMap((table) => [
    `ALTER TABLE "audit"."${table}" ADD "id" uuid NOT NULL DEFAULT gen_random_uuid()`,
    `ALTER TABLE "audit"."${table}" ALTER COLUMN "id" DROP DEFAULT`,
    `ALTER TABLE "audit"."${table}" DROP CONSTRAINT "PK_${table}"`,
    `CREATE UNIQUE INDEX "${table}_chain_uq" ON "audit"."${table}" ("tenant_id", "seq")`,
    `ALTER TABLE "audit"."${table}" ADD CONSTRAINT "PK_${table}" PRIMARY KEY ("id")`,
  ]),
});
