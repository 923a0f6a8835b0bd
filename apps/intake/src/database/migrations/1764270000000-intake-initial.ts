import { sqlMigration } from '@sms/database';

export const IntakeInitial1764270000000 = sqlMigration('IntakeInitial1764270000000', {
  up: [
    `CREATE TABLE "intake"."accepted_messages" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "idempotency_key" text,
      "request_hash" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "traceparent" text,
      "accepted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "published_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_accepted_messages" PRIMARY KEY ("id"))`,
    `CREATE UNIQUE INDEX "accepted_messages_idempotency_uq" ON "intake"."accepted_messages" ("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    `CREATE INDEX "accepted_messages_unpublished_idx" ON "intake"."accepted_messages" ("accepted_at") WHERE "published_at" IS NULL`,
    `CREATE TABLE "intake"."tenants" (
      "id" text NOT NULL,
      "name" text NOT NULL,
      "status" text NOT NULL DEFAULT 'active',
      "profile" jsonb NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_tenants" PRIMARY KEY ("id"))`,
    `CREATE TABLE "intake"."api_keys" (
      "key_hash" text NOT NULL,
      "tenant_id" text NOT NULL,
      "label" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_api_keys" PRIMARY KEY ("key_hash"))`,
    `CREATE INDEX "api_keys_tenant_idx" ON "intake"."api_keys" ("tenant_id")`,
  ],
  down: [`DROP TABLE "intake"."api_keys"`, `DROP TABLE "intake"."tenants"`, `DROP TABLE "intake"."accepted_messages"`],
});
