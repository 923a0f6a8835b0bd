import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDateFilter } from './messages-api.js';
import { newSid, rfc2822 } from './message-resource.js';

describe('Twilio formats', () => {
  it('writes dates as Twilio does: RFC 2822 in GMT with a +0000 zone', () => {
    assert.equal(rfc2822(Date.UTC(2026, 10, 27, 18, 56, 45, 678)), 'Fri, 27 Nov 2026 18:56:45 +0000');
    assert.equal(rfc2822(Date.UTC(2027, 0, 3, 4, 5, 6)), 'Sun, 03 Jan 2027 04:05:06 +0000');
  });

  it('makes SIDs of a prefix and 32 hex digits, all different', () => {
    const sids = new Set(Array.from({ length: 1000 }, () => newSid('SM')));
    assert.equal(sids.size, 1000);
    for (const sid of sids) assert.match(sid, /^SM[0-9a-f]{32}$/);
  });

  it('reads DateSent filters as a GMT day or a second, in the formats Twilio shows', () => {
    const day = Date.UTC(2026, 10, 27);
    assert.deepEqual(parseDateFilter('2026-11-27'), { dateOnly: true, day: { from: day, until: day + 86_399_999 }, second: { from: day, until: day + 999 } });
    const at = Date.UTC(2026, 10, 27, 18, 56, 45);
    for (const text of ['2026-11-27T18:56:45Z', '2026-11-27 18:56:45.000', 'Fri, 27 Nov 2026 18:56:45 -0000', '2026-11-27T19:56:45+01:00']) {
      const parsed = parseDateFilter(text);
      assert.equal(parsed?.dateOnly, false, text);
      assert.deepEqual(parsed?.second, { from: at, until: at + 999 }, text);
      assert.equal(parsed?.day.from, day, text);
    }
    assert.equal(parseDateFilter('yesterday'), undefined);
  });
});
