import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source.js';

// The server drops a service's connections (PostgreSQL restarted, an operator's
// pg_terminate_backend): the queries on them fail, the process stays up, the pool serves again.
// This library sits below @sms/testing, so its test reads the test stack file itself.
const stack = JSON.parse(readFileSync(process.env['TEST_STACK_FILE'] ?? '', 'utf8')) as { databaseUrl: string };

describe('a service data source whose connections the server drops', () => {
  let db: DataSource;
  let admin: DataSource;
  const uncaught: Error[] = [];
  const record = (error: Error): void => void uncaught.push(error);

  before(async () => {
    process.on('uncaughtException', record);
    db = await createServiceDataSource({ url: stack.databaseUrl, schema: 'public', entities: [], migrations: [], poolSize: 4, applicationName: 'dropped-connections-test' }).initialize();
    admin = await createServiceDataSource({ url: stack.databaseUrl, schema: 'public', entities: [], migrations: [], poolSize: 1, applicationName: 'dropped-connections-admin' }).initialize();
  });
  after(async () => {
    process.off('uncaughtException', record);
    await Promise.all([db?.destroy(), admin?.destroy()]);
  });

  it('fails the queries in flight and in a held session, keeps the process up, and answers again', async () => {
    // A session held between queries (as the outbox relay holds its advisory lock), idle clients
    // in the pool, and a query in flight when the server ends them all.
    const session = db.createQueryRunner();
    await session.connect();
    await session.query('SELECT 1');
    // A client checked out of the pool with no listener of its own between queries, as TypeORM's
    // driver holds one while it starts (PostgresDriver.afterConnect).
    const [raw, releaseRaw] = await (db.driver as unknown as { obtainMasterConnection(): Promise<[unknown, (error?: Error) => void]> }).obtainMasterConnection();
    await Promise.all([db.query('SELECT 1'), db.query('SELECT 1')]);
    const inFlight = db.query('SELECT pg_sleep(5)').then(
      () => null,
      (error: Error) => error,
    );
    await sleep(300);
    const ended = await admin.query<[{ n: number }]>(`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dropped-connections-test') t`);
    assert.ok(ended[0].n >= 2, `connections ended: ${ended[0].n}`);
    assert.ok((await inFlight) instanceof Error, 'the query in flight failed');
    await assert.rejects(session.query('SELECT 1'), 'the held session is gone');
    await session.release().catch(() => undefined);
    assert.ok(raw, 'a raw client was held');
    releaseRaw(new Error('ended by the server'));
    await sleep(500);
    assert.deepEqual(
      uncaught.map((e) => e.message),
      [],
      'no error escaped as an uncaught exception',
    );
    assert.deepEqual(await db.query('SELECT 2 AS two'), [{ two: 2 }]);
  });
});
