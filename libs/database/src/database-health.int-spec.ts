import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import type { DataSource, QueryRunner } from 'typeorm';
import { createServiceDataSource } from './data-source.js';
import { databaseHealth } from './database.module.js';

// This library sits below @sms/testing, so its test reads the test stack file itself.
const stack = JSON.parse(readFileSync(process.env['TEST_STACK_FILE'] ?? '', 'utf8')) as { databaseUrl: string };

describe('the database health check', () => {
  let db: DataSource;
  const held: QueryRunner[] = [];

  before(async () => {
    db = await createServiceDataSource({ url: stack.databaseUrl, schema: 'public', entities: [], migrations: [], poolSize: 2, applicationName: 'health-check-test' }).initialize();
  });
  after(async () => {
    await Promise.all(held.map((runner) => runner.release()));
    await db?.destroy();
  });

  it("answers while the service's work holds every connection of its pool", async () => {
    // A backlog: every pooled connection checked out by the service's own work.
    for (let i = 0; i < 2; i++) {
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      await runner.query('SELECT 1');
      held.push(runner);
    }
    const pool = (db.driver as unknown as { master: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    assert.equal(pool.totalCount - pool.idleCount, 2, 'the pool has no connection free');
    assert.equal(await databaseHealth(db).check(), true);
    const sessions = await held[0]!.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'health-check-test health'`);
    assert.deepEqual(sessions, [{ n: 1 }], 'the check asked on a connection of its own, named after the service');
  });

  it('fails when the database does not answer', async () => {
    const unreachable = createServiceDataSource({ url: 'postgres://postgres@127.0.0.1:1/none', schema: 'public', entities: [], migrations: [], applicationName: 'health-check-test' });
    await assert.rejects(databaseHealth(unreachable, 500).check(), /ECONNREFUSED|connect/);
  });
});
