import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@sms/util';
import { withNumberAfter, withOtherNumbers } from './encoder-set.js';

const reminder = 'Acme Dental: see you Tuesday at 9:40. Reply STOP to opt out.';

describe('renderings the text encoder learns from', () => {
  it('puts a number of four to thirteen digits after the text, sometimes as a reference, and keeps the text', () => {
    const random = seededRandom(7);
    const lengths = new Set<number>();
    let references = 0;
    for (let i = 0; i < 2000; i++) {
      const rendered = withNumberAfter(reminder, random);
      const match = /^(.*?) (Ref )?(\d+)$/.exec(rendered);
      assert.ok(match, rendered);
      assert.equal(match[1], reminder);
      if (match[2]) references++;
      lengths.add(match[3]!.length);
      assert.notEqual(match[3]![0], '0', rendered);
    }
    assert.deepEqual(
      [...lengths].sort((a, b) => a - b),
      [4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
    );
    assert.ok(references > 400 && references < 800, `${references} of 2000 as a reference`);
  });

  it('gives the same renderings for the same seed', () => {
    const a = seededRandom(11);
    const b = seededRandom(11);
    for (let i = 0; i < 20; i++) assert.equal(withNumberAfter(reminder, a), withNumberAfter(reminder, b));
  });

  it('changes every number of a text and nothing else', () => {
    const rendered = withOtherNumbers(reminder, seededRandom(3));
    assert.match(rendered, /^Acme Dental: see you Tuesday at \d{1,4}:\d{1,4}\. Reply STOP to opt out\.$/);
  });
});
