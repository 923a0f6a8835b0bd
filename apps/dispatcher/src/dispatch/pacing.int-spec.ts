import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessageEnvelope, TenantConfigEvent } from '@sms/contracts';
import { countSegments } from '@sms/domain';
import { aTenant, testStack, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueMessagingService, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { DispatcherRig } from '../test-support/dispatcher-rig.js';
import { aReminder } from '../test-support/reminders.js';
import type { SimulatorClient, SimMessage } from '../test-support/simulator-client.js';

// Pacing with two dispatcher instances sharing the queue: the rate of a sender holds across
// them (AUP.SERVICE_LIMITS), exactly at the shared limiter and, measured on the simulator's
// own receive timestamps, at the wire.
const stack = testStack();
const world = new DispatchWorld(stack);
const tenantId = uniqueTenantId();
const brand = 'Acme Dental';
const numbers = {
  longCode: uniqueNumber('415'),
  tollFree: uniqueNumber('415'),
  tenDlcA: uniqueNumber('415'),
  tenDlcB: uniqueNumber('415'),
  segments: uniqueNumber('415'),
};
const pool = uniqueMessagingService();
const poolNumbers = [uniqueNumber('415'), uniqueNumber('415')];
const tenant: TenantConfigEvent = aTenant({
  tenantId,
  brands: [{ name: brand, tmobileDailyCap: 100_000 }],
  senders: [
    { number: numbers.longCode, type: 'long_code', brand },
    { number: numbers.segments, type: 'long_code', brand },
    { number: numbers.tollFree, type: 'toll_free', brand },
    // Two 10DLC numbers of one brand, trust score 0: 12 segments/s split in three, 4 per carrier.
    { number: numbers.tenDlcA, type: '10dlc', brand },
    { number: numbers.tenDlcB, type: '10dlc', brand },
    ...poolNumbers.map((number) => ({ number, type: 'long_code' as const, brand, messagingServiceSid: pool })),
  ],
  messagingServices: [{ sid: pool, name: 'pool' }],
});

/**
 * At the wire, requests leave a little after the limiter lets them start, and a stalled
 * machine can hold one back while the next leaves on time: at the simulator, every pair of
 * sends i < j of a sender must be apart by the segments of the messages strictly between them
 * (one message of slack for such a stall), less 50 ms.
 */
const WIRE_JITTER_MS = 50;

const rig = new DispatcherRig(stack, world);
let sim: SimulatorClient;

const body = (segments: number): string => (segments === 1 ? `Acme Dental: reminder ${Math.random()}` : `Acme Dental: ${'a'.repeat(153 * (segments - 1) + 10)}`);

function messages(from: { from?: string; messagingServiceSid?: string }, count: number, segments = 1): MessageEnvelope[] {
  return Array.from({ length: count }, () => aReminder(tenantId, brand, undefined, { ...from, body: body(segments) }));
}

interface Send {
  at: number;
  segments: number;
}

async function received(batch: MessageEnvelope[]): Promise<Send[]> {
  const all = await waitFor(
    `${batch.length} messages at the simulator`,
    async () => {
      const found = (await Promise.all(batch.map((m) => sim.messages(m.message.to)))).flat();
      return found.length >= batch.length ? found : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  assert.equal(all.length, batch.length, 'each message once');
  return all.map((m: SimMessage) => ({ at: Date.parse(m.receivedAt), segments: m.numSegments })).sort((a, b) => a.at - b.at);
}

/** When the shared limiter let each call start, by the database's clock (recorded with the outcome). */
async function started(batch: MessageEnvelope[]): Promise<Send[]> {
  const segments = new Map(batch.map((m) => [m.id, countSegments(m.message.body).segments]));
  const { rows } = await world.db.query<{ message_id: string; started_at: Date }>(`SELECT message_id, started_at FROM dispatcher.sends WHERE message_id = ANY($1::uuid[])`, [batch.map((m) => m.id)]);
  assert.equal(rows.length, batch.length);
  return rows.map((r) => ({ at: r.started_at.getTime(), segments: segments.get(r.message_id)! })).sort((a, b) => a.at - b.at);
}

/** For every pair i < j: t[j] - t[i] >= segments of the messages from i (or i + 1, with slack) to j - 1, over the rate, less an allowance. */
function assertPaced(sends: Send[], segmentsPerSecond: number, what: string, { slack, allowanceMs }: { slack: boolean; allowanceMs: number }): number {
  const times = sends.map((s) => s.at);
  for (let i = 0; i < sends.length; i++) {
    let segments = 0;
    for (let j = i + 1; j < sends.length; j++) {
      if (!slack || j - 1 > i) segments += sends[j - 1]!.segments;
      const needed = (segments * 1000) / segmentsPerSecond;
      assert.ok(
        times[j]! - times[i]! >= needed - allowanceMs,
        `${what}: sends ${i} and ${j} are ${times[j]! - times[i]!} ms apart, at least ${needed} needed (${times.map((t) => t - times[0]!).join(', ')})`,
      );
    }
  }
  return times.at(-1)! - times[0]!;
}

describe('pacing per sender, with two dispatcher instances', () => {
  before(async () => {
    sim = await rig.start('pacing', [tenant]);
    await sim.messagingService(pool, poolNumbers);
    for (const name of ['pacing-1', 'pacing-2']) {
      await rig.dispatcher(name, { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z' });
    }
  });

  after(() => rig.stop());

  it('keeps every kind of sender at its rate, in segments, whichever instance sends', async () => {
    const runs = {
      longCode: messages({ from: numbers.longCode }, 6),
      tollFree: messages({ from: numbers.tollFree }, 10),
      pool: messages({ messagingServiceSid: pool }, 8),
      tenDlc: [...messages({ from: numbers.tenDlcA }, 5), ...messages({ from: numbers.tenDlcB }, 5)],
      segments: [
        ...messages({ from: numbers.segments }, 1, 3),
        ...messages({ from: numbers.segments }, 1, 1),
        ...messages({ from: numbers.segments }, 1, 2),
        ...messages({ from: numbers.segments }, 1, 1),
      ],
    };
    // Interleaved, as Kafka would deliver a mixed load to both instances.
    const all = Object.values(runs)
      .flat()
      .sort(() => Math.random() - 0.5);
    await world.cleared(...all);

    const rates: [keyof typeof runs, number, string][] = [
      ['longCode', 1, 'long code, 1 segment/s'],
      ['tollFree', 3, 'toll-free, 3 segments/s'],
      ['pool', 2, 'messaging service of two long codes, 2 segments/s'],
      // The brand's share of a carrier, across both of its numbers: a second number adds nothing.
      ['tenDlc', 4, '10DLC brand over two numbers, carrier unknown, 4 segments/s'],
      ['segments', 1, 'long code, messages of 3, 1, 2, 1 segments'],
    ];
    const measured: Record<string, { startsSpanMs: number; wireSpanMs: number; minimumMs: number }> = {};
    for (const [run, rate, what] of rates) {
      const wire = await received(runs[run]);
      // The limiter, exactly: starts by the database's clock, across both instances.
      const startsSpanMs = assertPaced(await started(runs[run]), rate, `${what} (starts)`, { slack: false, allowanceMs: 1 });
      const wireSpanMs = assertPaced(wire, rate, `${what} (at the simulator)`, { slack: true, allowanceMs: WIRE_JITTER_MS });
      measured[what] = { startsSpanMs, wireSpanMs, minimumMs: (wire.slice(0, -1).reduce((n, s) => n + s.segments, 0) * 1000) / rate };
    }
    assert.deepEqual((await received(runs.segments)).map((s) => s.segments).sort(), [1, 1, 2, 3]);
    console.log(`pacing measured: ${JSON.stringify(measured)}`);
  });
});
