import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createServiceDataSource } from './data-source.js';
import { OutboxLease } from './outbox-lease.js';

// This library sits below @sms/testing, so its test reads the test stack file itself.
const stack = JSON.parse(readFileSync(process.env['TEST_STACK_FILE'] ?? '', 'utf8')) as { databaseUrl: string };

describe('the outbox relay lock (real Postgres)', () => {
  // Two instances, each with its own pool, as two processes would have.
  const [one, two] = [0, 1].map((n) => createServiceDataSource({ url: stack.databaseUrl, schema: 'public', entities: [], migrations: [], poolSize: 3, applicationName: `lease-test-${n}` }));
  const table = `public.lease_test_instances_${process.pid}`;
  const noWarnings = (message: string, error: Error) => assert.fail(`${message}: ${error.message}`);

  before(async () => {
    await Promise.all([one!.initialize(), two!.initialize()]);
  });

  after(async () => {
    await Promise.all([one!.destroy(), two!.destroy()]);
  });

  it("lets one instance's relay run at a time, and the next once it is done or its process is gone", async () => {
    const [a, b] = [new OutboxLease(one!, table, 10_000, noWarnings), new OutboxLease(two!, table, 10_000, noWarnings)];
    let release!: () => void;
    const running = a.asTheOnlyRelay(() => new Promise<string>((resolve) => (release = () => resolve('a ran'))));
    // a's relay is under way (it holds the lock while its promise is pending).
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await b.asTheOnlyRelay(async () => 'b ran'), undefined, 'a second relay does not run beside the first');
    release();
    assert.equal(await running, 'a ran');
    assert.equal(await b.asTheOnlyRelay(async () => 'b ran'), 'b ran', 'once the first is done, the next one runs');

    // A relay that throws gives the lock up too.
    await assert.rejects(
      a.asTheOnlyRelay(async () => Promise.reject(new Error('broker away'))),
      /broker away/,
    );
    assert.equal(await b.asTheOnlyRelay(async () => 'b ran'), 'b ran');

    // A process that dies mid-relay: its connection closes, and Postgres drops the lock with it.
    const dying = createServiceDataSource({ url: stack.databaseUrl, schema: 'public', entities: [], migrations: [], poolSize: 1, applicationName: 'lease-test-dying' });
    await dying.initialize();
    const c = new OutboxLease(dying, table, 10_000, noWarnings);
    let stuck!: () => void;
    const never = c.asTheOnlyRelay(() => new Promise<void>((resolve) => (stuck = resolve))).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await b.asTheOnlyRelay(async () => 'b ran'), undefined);
    await one!.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lease-test-dying'`);
    stuck();
    await never;
    await dying.destroy().catch(() => undefined);
    assert.equal(await b.asTheOnlyRelay(async () => 'b ran'), 'b ran', "the dead process's lock is gone");
  });
});
