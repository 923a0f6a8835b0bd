import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testStack } from '@sms/testing';
import type { Verdict } from '@sms/contracts';
import { snowshoeDataSource } from '../database/data-source.js';
import { decisionKeyText, DecisionsRepository, type DecisionKey, type StoredDecision } from './decisions.repository.js';

// The verdicts given, in the real PostgreSQL: written once (the first writer wins, also when two
// instances race), read back, and pruned past their retention only.
const db = snowshoeDataSource(testStack().databaseUrl);
const repository = new DecisionsRepository(db);

const decision = (d: Verdict['decision']): StoredDecision => ({
  verdict: { stage: 'snowshoeing-detector', decision: d, clauses: ['MP.EVASION.SNOWSHOE'], reason: `${d} for the test`, facts: { cluster: 'abc' }, at: new Date().toISOString() },
  clusterId: 'abc',
  distinctSenders: 3,
});
const batch = (entries: [DecisionKey, StoredDecision][]) => new Map(entries.map(([key, d]) => [decisionKeyText(key), { key, decision: d }]));
const aKey = (verdictsBefore = 2): DecisionKey => ({ messageId: randomUUID(), verdictsBefore });

before(async () => {
  await db.initialize();
});
after(async () => {
  await db.destroy();
});

describe('snowshoe verdicts in PostgreSQL', () => {
  it('keeps the first verdict of a message step and answers it to every later writer', async () => {
    const key = aKey();
    const other = aKey(3);
    const written = await repository.record(batch([[key, decision('pass')]]));
    assert.equal(written.get(decisionKeyText(key))!.verdict.decision, 'pass');
    const again = await repository.record(
      batch([
        [key, decision('hold')],
        [other, decision('hold')],
      ]),
    );
    assert.equal(again.get(decisionKeyText(key))!.verdict.decision, 'pass', 'the verdict given stands');
    assert.equal(again.get(decisionKeyText(other))!.verdict.decision, 'hold', 'a new one is written beside it');
    const given = await repository.given([key, other, aKey()]);
    assert.deepEqual([...given.keys()].sort(), [decisionKeyText(key), decisionKeyText(other)].sort());
    assert.deepEqual(given.get(decisionKeyText(key)), written.get(decisionKeyText(key)));
  });

  it('lets two instances deciding the same messages at once agree on one verdict each', async () => {
    const keys = Array.from({ length: 200 }, () => aKey());
    // Each "instance" writes the batch in its own order, with its own verdicts.
    const [a, b] = await Promise.all([repository.record(batch(keys.map((k) => [k, decision('pass')]))), repository.record(batch([...keys].reverse().map((k) => [k, decision('hold')])))]);
    for (const k of keys) assert.equal(a.get(decisionKeyText(k))!.verdict.decision, b.get(decisionKeyText(k))!.verdict.decision, 'both publish the same verdict');
    const stored = await repository.given(keys);
    for (const k of keys) assert.equal(stored.get(decisionKeyText(k))!.verdict.decision, a.get(decisionKeyText(k))!.verdict.decision);
  });

  it('prunes only verdicts older than the retention', async () => {
    const old = [aKey(), aKey()];
    const recent = aKey();
    await repository.record(batch([...old, recent].map((k) => [k, decision('pass')])));
    await db.query(`UPDATE snowshoe.decisions SET decided_at = now() - interval '31 days' WHERE message_id = ANY($1::uuid[])`, [old.map((k) => k.messageId)]);
    const deleted = await repository.prune(30 * 86_400_000, 1);
    assert.equal(deleted, 2, 'the two old verdicts went, a chunk of one at a time');
    const left = await repository.given([...old, recent]);
    assert.deepEqual([...left.keys()], [decisionKeyText(recent)]);
  });
});
