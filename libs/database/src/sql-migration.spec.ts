import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueryRunner } from 'typeorm';
import { sqlMigration } from './sql-migration.js';

/** A query runner that only remembers what it was asked, in order. */
function recorder() {
  const statements: string[] = [];
  const runner = { query: (sql: string) => (statements.push(sql), Promise.resolve([])) } as unknown as QueryRunner;
  return { statements, runner };
}

describe('sqlMigration', () => {
  const Migration = sqlMigration('ShopInitial1764270000000', {
    up: ['CREATE TABLE "shop"."a" ("id" text)', 'CREATE INDEX "a_idx" ON "shop"."a" ("id")'],
    down: ['DROP TABLE "shop"."a"'],
  });

  it('is named as given, so TypeORM reads its timestamp and records it under that name', () => {
    assert.equal(new Migration().name, 'ShopInitial1764270000000');
  });

  it('runs the up statements in order, one query each', async () => {
    const { statements, runner } = recorder();
    await new Migration().up(runner);
    assert.deepEqual(statements, ['CREATE TABLE "shop"."a" ("id" text)', 'CREATE INDEX "a_idx" ON "shop"."a" ("id")']);
  });

  it('runs the down statements and only those', async () => {
    const { statements, runner } = recorder();
    await new Migration().down(runner);
    assert.deepEqual(statements, ['DROP TABLE "shop"."a"']);
  });

  it('stops at the first statement that fails, so the transaction around it rolls back', async () => {
    const asked: string[] = [];
    const runner = {
      query: (sql: string) => {
        asked.push(sql);
        return sql.startsWith('CREATE TABLE') ? Promise.reject(new Error('relation "a" already exists')) : Promise.resolve([]);
      },
    } as unknown as QueryRunner;
    await assert.rejects(new Migration().up(runner), /already exists/);
    assert.deepEqual(asked, ['CREATE TABLE "shop"."a" ("id" text)']);
  });
});
