import { sqlMigration } from '@sms/database';

export const AuditInitial1764270000000 = sqlMigration('AuditInitial1764270000000', {
  up: [
    `CREATE TABLE "audit"."message_events" (
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
      CONSTRAINT "PK_message_events" PRIMARY KEY ("id"))`,
    `CREATE UNIQUE INDEX "message_events_message_uq" ON "audit"."message_events" ("message_id", "event_key")`,
    `CREATE INDEX "message_events_tenant_time_idx" ON "audit"."message_events" ("tenant_id", "occurred_at")`,
    // The history is append-only: the database itself refuses to change or remove it.
    `CREATE FUNCTION "audit"."refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit.%: history is append-only (% refused)', TG_TABLE_NAME, TG_OP; END $$`,
    `CREATE TRIGGER "message_events_append_only" BEFORE UPDATE OR DELETE ON "audit"."message_events"
      FOR EACH ROW EXECUTE FUNCTION "audit"."refuse_change"()`,
    `CREATE TRIGGER "message_events_no_truncate" BEFORE TRUNCATE ON "audit"."message_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit"."refuse_change"()`,
  ],
  down: [`DROP TABLE "audit"."message_events"`, `DROP FUNCTION "audit"."refuse_change"()`],
});
