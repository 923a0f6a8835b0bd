import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The statements of a migration that is SQL and nothing else, each direction run in the order given. */
export interface SqlSteps {
  up: readonly string[];
  down: readonly string[];
}

/**
 * A migration class for TypeORM from its SQL alone. `name` ends in the migration's timestamp,
 * as TypeORM reads it, and must never change once the migration has run anywhere: it is the
 * row in the schema's `migrations` table. A migration that must read before it writes (a
 * backfill, a check) stays a class of its own.
 */
export function sqlMigration(name: string, steps: SqlSteps): new () => MigrationInterface {
  return class SqlMigration implements MigrationInterface {
    readonly name = name;

    async up(q: QueryRunner): Promise<void> {
      for (const statement of steps.up) await q.query(statement);
    }

    async down(q: QueryRunner): Promise<void> {
      for (const statement of steps.down) await q.query(statement);
    }
  };
}
