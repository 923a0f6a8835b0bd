import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditInitial1764270000000 implements MigrationInterface {
  name = 'AuditInitial1764270000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit"."message_events" (
      "id" uuid NOT NULL,
      "tenant_id" text NOT NULL,
      "message_id" uuid NOT NULL,
      "event_key" text NOT NULL,
      "kind" text NOT NULL,
      "stage" text,
      "decision" text,
      "clauses" text array NOT NULL DEFAULT '{}',
      "reason" text,
      "status" text,
      "twilio_sid" text,
      "error_code" integer,
      "facts" jsonb NOT NULL DEFAULT '{}',
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_message_events" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "message_events_message_uq" ON "audit"."message_events" ("message_id", "event_key")`);
    await q.query(`CREATE INDEX "message_events_tenant_time_idx" ON "audit"."message_events" ("tenant_id", "occurred_at")`);
    // The history is append-only: the database itself refuses to change or remove it.
    await q.query(`CREATE FUNCTION "audit"."refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit.%: history is append-only (% refused)', TG_TABLE_NAME, TG_OP; END $$`);
    await q.query(`CREATE TRIGGER "message_events_append_only" BEFORE UPDATE OR DELETE ON "audit"."message_events"
      FOR EACH ROW EXECUTE FUNCTION "audit"."refuse_change"()`);
    await q.query(`CREATE TRIGGER "message_events_no_truncate" BEFORE TRUNCATE ON "audit"."message_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit"."message_events"`);
    await q.query(`DROP FUNCTION "audit"."refuse_change"()`);
  }
}
