import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnsOf } from './columns.js';

describe('columnsOf', () => {
  it('makes one array per column, by field or by function, in the order given', () => {
    const rows = [
      { id: 'a', n: 1, facts: { x: 1 } },
      { id: 'b', n: 2, facts: { x: 2 } },
    ];
    assert.deepEqual(columnsOf(rows, ['n', 'id', (r) => JSON.stringify(r.facts)]), [
      [1, 2],
      ['a', 'b'],
      ['{"x":1}', '{"x":2}'],
    ]);
  });

  it('makes empty columns of no rows', () => {
    assert.deepEqual(columnsOf([] as { id: string }[], ['id', (r) => r.id]), [[], []]);
  });
});
