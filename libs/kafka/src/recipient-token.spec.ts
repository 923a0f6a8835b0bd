import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT } from '@sms/tracing';
import { withRecipientTokens } from './recipient-token.js';
import type { ConsumedRecord } from './topic-consumer.js';

const consumed = (key: string | null, value: string): ConsumedRecord<string> => ({
  topic: 'sms.accepted.v1',
  partition: 0,
  offset: '0',
  key,
  value,
  headers: {},
  timestamp: '0',
  context: ROOT_CONTEXT,
});

describe('recipient tokens from record keys', () => {
  it('takes each record’s key as its recipient token, and dead-letters a record without one', () => {
    const { keyed, deadLetters } = withRecipientTokens([consumed('token-a', 'a'), consumed(null, 'b'), consumed('token-c', 'c')]);
    assert.deepEqual(
      keyed.map((k) => [k.record.value, k.recipientToken]),
      [
        ['a', 'token-a'],
        ['c', 'token-c'],
      ],
    );
    assert.deepEqual(
      deadLetters.map((d) => [d.record.value, d.error.message]),
      [['b', 'sms.accepted.v1 is keyed by recipient token, and this record has no key']],
    );
  });

  it('makes the token of a record without a key when told how, and only for it', () => {
    const made: string[] = [];
    const { keyed, deadLetters } = withRecipientTokens([consumed('token-a', 'a'), consumed(null, 'b')], (r) => (made.push(r.value), `made-${r.value}`));
    assert.deepEqual(
      keyed.map((k) => [k.record.value, k.recipientToken]),
      [
        ['a', 'token-a'],
        ['b', 'made-b'],
      ],
    );
    assert.deepEqual(made, ['b']);
    assert.deepEqual(deadLetters, []);
  });
});
