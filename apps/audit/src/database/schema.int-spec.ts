import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSchemaInStep, testStack } from '@sms/testing';
import { auditDataSource } from './data-source.js';

describe('audit schema', () => {
  it('is exactly what the migrations create', async () => {
    await assertSchemaInStep(auditDataSource);
  });

  it('refuses updates, deletes and truncation: the history is append-only', async () => {
    const dataSource = auditDataSource(testStack().databaseUrl);
    await dataSource.initialize();
    try {
      await dataSource.query(
        `INSERT INTO audit.message_events (tenant_id, message_id, event_key, kind, occurred_at, seq, hash)
         VALUES ('append-only-test', gen_random_uuid(), 'status:accepted', 'status', now(), 1, 'x')`,
      );
      await assert.rejects(dataSource.query(`UPDATE audit.message_events SET reason = 'changed' WHERE tenant_id = 'append-only-test'`), /append-only/);
      await assert.rejects(dataSource.query(`DELETE FROM audit.message_events WHERE tenant_id = 'append-only-test'`), /append-only/);
      await assert.rejects(dataSource.query(`TRUNCATE audit.message_events`), /append-only/);
      const [row] = await dataSource.query<{ count: string }[]>(`SELECT count(*) FROM audit.message_events WHERE tenant_id = 'append-only-test'`);
      assert.equal(row?.count, '1');
    } finally {
      await dataSource.destroy();
    }
  });
});
