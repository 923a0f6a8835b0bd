import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageStore, type NewMessage } from './message-store.js';

const T0 = Date.UTC(2026, 10, 27, 18, 56, 45);

function message(n: number, to = '+14155550100', at = T0 + n * 1000, sentAt: number | null = at): NewMessage {
  return {
    sid: `SM${n.toString(16).padStart(32, '0')}`,
    to,
    from: '+14155550199',
    messagingServiceSid: null,
    body: `message ${n}`,
    numSegments: 1,
    numMedia: 0,
    receivedAt: at,
    statusCallback: null,
    status: 'queued',
    errorCode: null,
    sentAt,
    updatedAt: at,
  };
}

describe('MessageStore', () => {
  it('reads on by arrival number, in pages, skipping what was forgotten', () => {
    const store = new MessageStore(4);
    for (let n = 1; n <= 6; n++) store.add(message(n));
    // Arrival numbers 0-5; 0 and 1 were forgotten.
    assert.deepEqual(
      store.since(0, 10).map((m) => [m.seq, m.body]),
      [
        [2, 'message 3'],
        [3, 'message 4'],
        [4, 'message 5'],
        [5, 'message 6'],
      ],
    );
    assert.deepEqual(
      store.since(3, 2).map((m) => m.seq),
      [3, 4],
    );
    assert.deepEqual(store.since(6, 10), []);
    store.clear();
    assert.deepEqual(store.since(0, 10), []);
  });

  it('keeps at most `capacity` messages, forgetting the oldest', () => {
    const store = new MessageStore(3);
    for (let n = 1; n <= 5; n++) store.add(message(n, n % 2 === 0 ? '+14155550102' : '+14155550101'));
    assert.equal(store.size, 3);
    assert.deepEqual(
      store.list().map((m) => m.body),
      ['message 3', 'message 4', 'message 5'],
    );
    assert.equal(store.get(message(2).sid), undefined);
    assert.equal(store.get(message(3).sid)?.body, 'message 3');
    assert.deepEqual(
      store.list({ to: '+14155550101' }).map((m) => m.body),
      ['message 3', 'message 5'],
    );
  });

  it('pages newest first, continuing after a message or from an offset', () => {
    const store = new MessageStore(100);
    for (let n = 1; n <= 7; n++) store.add(message(n));
    const bodies = (list: { body: string }[]): string[] => list.map((m) => m.body.replace('message ', ''));
    const first = store.page({}, { pageSize: 3, start: { offset: 0 } });
    assert.deepEqual(bodies(first), ['7', '6', '5']);
    const second = store.page({}, { pageSize: 3, start: { after: first.at(-1)!.sid } });
    assert.deepEqual(bodies(second), ['4', '3', '2']);
    assert.deepEqual(bodies(store.page({}, { pageSize: 3, start: { offset: 6 } })), ['1']);
    assert.deepEqual(bodies(store.page({}, { pageSize: 3, start: { before: second[0]!.sid } })), ['7', '6', '5']);
  });

  it('filters by recipient, sender and inclusive sent-time bounds on whole seconds', () => {
    const store = new MessageStore(100);
    store.add(message(1, '+14155550101', T0 + 10));
    store.add(message(2, '+14155550102', T0 + 2_500));
    store.add(message(3, '+14155550101', T0 + 5_999));
    // Still in Twilio's queue: no date_sent, so no sent-time filter finds it; a list by recipient does.
    store.add(message(4, '+14155550101', T0 + 3_000, null));
    const page = (query: Parameters<MessageStore['page']>[0]): string[] => store.page(query, { pageSize: 50, start: { offset: 0 } }).map((m) => m.body);
    assert.deepEqual(page({ to: '+14155550101' }), ['message 4', 'message 3', 'message 1']);
    assert.deepEqual(page({ to: '+14155550101', sentFrom: T0 }), ['message 3', 'message 1'], 'not sent yet: not found by date');
    assert.deepEqual(page({ sentFrom: T0 }), ['message 3', 'message 2', 'message 1'], 'T0 + 10 ms is shown as T0');
    assert.deepEqual(page({ sentFrom: T0 + 2_000, sentUntil: T0 + 5_000 }), ['message 3', 'message 2']);
    assert.deepEqual(page({ from: '+19999999999' }), []);
  });

  it('forgets everything on clear', () => {
    const store = new MessageStore(10);
    store.add(message(1));
    store.clear();
    assert.equal(store.size, 0);
    assert.deepEqual(store.list(), []);
    store.add(message(2));
    assert.deepEqual(
      store.list().map((m) => m.body),
      ['message 2'],
    );
  });
});
