import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testStack } from '@sms/testing';
import type { DataSource } from 'typeorm';
import type { HistoryEvent } from '../rules/history.js';
import { auditDataSource } from '../database/data-source.js';
import { HistoryRepository } from './history.repository.js';

const statusEvent = (tenantId: string, messageId: string, status: 'sending' | 'sent' | 'delivered'): HistoryEvent => ({
  tenantId,
  messageId,
  campaign: null,
  eventKey: `status:${status}`,
  kind: 'status',
  stage: null,
  decision: null,
  clauses: [],
  reason: null,
  status,
  twilioSid: null,
  errorCode: null,
  facts: {},
  occurredAt: new Date().toISOString(),
});

/** Three statuses of each of `messages` new messages of one tenant. */
const statusesOf = (tenantId: string, messages: number): HistoryEvent[] =>
  Array.from({ length: messages }, () => randomUUID()).flatMap((id) => (['sending', 'sent', 'delivered'] as const).map((s) => statusEvent(tenantId, id, s)));

describe('audit history store (real Postgres)', () => {
  let db: DataSource;
  let history: HistoryRepository;

  before(async () => {
    db = auditDataSource(testStack().databaseUrl);
    await db.initialize();
    history = new HistoryRepository(db);
  });
  after(async () => {
    await db.destroy();
  });

  it('appends concurrent callers into one chain per tenant that verifies, telling each caller what was new', async () => {
    const tenants = [0, 1, 2].map((i) => `history-${i}-${randomUUID().slice(0, 8)}`);
    // Twelve batches at once, as the consumers' partitions hand them over, four per tenant.
    const batches = Array.from({ length: 12 }, (_, i) => statusesOf(tenants[i % 3]!, 5));
    const counts = await Promise.all([...batches.map((b) => history.append(b)), history.append(batches[0]!)]);
    assert.equal(
      counts.slice(0, 12).reduce((a, b) => a + b, 0),
      12 * 15,
      'every event of the twelve batches was new',
    );
    assert.equal(Number(counts[0]) + Number(counts[12]), 15, 'a batch delivered twice at once is recorded once');
    assert.equal(await history.append(batches[5]!), 0, 'a redelivered batch adds nothing');
    for (const tenantId of tenants) {
      const result = await history.verify(tenantId);
      assert.deepEqual(result.ok ? { ok: true, records: result.records } : result, { ok: true, records: 4 * 15 });
    }
  });

  it('fails only the caller whose events the database refuses; the others are recorded', async () => {
    const tenantId = `history-refused-${randomUUID().slice(0, 8)}`;
    const good = [statusesOf(tenantId, 2), statusesOf(tenantId, 3)];
    const refused = [{ ...statusEvent(tenantId, 'not-a-uuid', 'sent') }];
    // Handed over together, so they meet in one transaction first.
    const outcomes = await Promise.allSettled([history.append(good[0]!), history.append(refused), history.append(good[1]!)]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /uuid/);
    assert.deepEqual(
      outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value),
      [6, 9],
    );
    const result = await history.verify(tenantId);
    assert.deepEqual(result.ok ? { ok: true, records: result.records } : result, { ok: true, records: 15 });
  });
});
