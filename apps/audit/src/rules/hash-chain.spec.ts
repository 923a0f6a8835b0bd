import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, GENESIS, link, verifyChain } from './hash-chain.js';

const contents = [
  { kind: 'status', status: 'accepted' },
  { kind: 'decision', clauses: ['MP.CONSENT.PRIOR'], decision: 'block' },
  { kind: 'status', status: 'blocked' },
];

describe('hash chain', () => {
  it('hashes the same content the same whatever the key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }), '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('verifies a chain it linked, and continues from a head', () => {
    const first = link(GENESIS, contents.slice(0, 2));
    const second = link(first.head, contents.slice(2));
    const records = [...first.links, ...second.links].map((l, i) => ({ ...l, content: contents[i] }));
    const result = verifyChain(records);
    assert.deepEqual(result, { ok: true, records: 3, head: second.head });
  });

  it('finds a changed record, a removed one, and a reordered one', () => {
    const { links } = link(GENESIS, contents);
    const records = links.map((l, i) => ({ ...l, content: contents[i] }));
    const changed = records.map((r, i) => (i === 1 ? { ...r, content: { ...contents[1], decision: 'pass' } } : r));
    assert.deepEqual(verifyChain(changed), { ok: false, records: 3, brokenAt: 2, reason: 'record 2 does not match its hash: changed after it was written' });
    const removed = [records[0]!, records[2]!];
    assert.equal(verifyChain(removed).ok, false);
    const reordered = [records[0]!, { ...records[2]!, seq: 2 }, { ...records[1]!, seq: 3 }];
    assert.equal(verifyChain(reordered).ok, false);
  });
});
