import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TOPICS, type MessageEnvelope } from '@sms/contracts';
import { anEnvelope, aTenant, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { DispatchWorld, uniqueNumber, uniqueTenantId } from '../test-support/dispatch-world.js';
import { dispatcherProcess, startSimulator, type ChildService } from '../test-support/processes.js';

// The broker goes away while the dispatcher decides outcomes: they commit to Postgres, and
// their publishing waits for the broker. Then the dispatcher is killed (kill -9) before the
// broker is back. Every outcome it decided must still reach Kafka once a dispatcher runs again:
// the held or blocked envelope on sms.stopped.v1, the statuses on sms.status.v1.

interface BrokerTools {
  startBroker(profileName: string, log?: (line: string) => void): Promise<unknown>;
  killBroker(profileName: string): Promise<void>;
  getProfile(name: 'test'): { name: string };
}

/** The repository root, from apps/dispatcher/dist/dispatch/. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function brokerTools(): Promise<BrokerTools> {
  const load = (file: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(ROOT, 'tools', 'stack', file)).href);
  const [profiles, kafka] = await Promise.all([load('profiles.mjs'), load('kafka.mjs')]);
  return { ...profiles, ...kafka } as unknown as BrokerTools;
}

const stack = testStack();
const world = new DispatchWorld(stack);
const kafka = testKafka(stack.kafkaBrokers);
const brand = 'Acme Dental';
const sender = uniqueNumber('415');
const tenant = aTenant({ tenantId: uniqueTenantId(), senders: [{ number: sender, type: 'short_code', brand }] });
// Twenty seconds before 8:00 in New York: reminders wait for 8:00 (scheduled), then go.
const env = { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T12:59:40Z', OUTBOX_CLAIM_LEASE_MS: '3000', OUTBOX_RELAY_INTERVAL_MS: '200' };

const reminder = (to: string): MessageEnvelope =>
  anEnvelope({
    tenantId: tenant.tenantId,
    message: { to, from: sender, brand, campaign: 'reminders', useCase: 'informational', body: `Acme Dental: reminder ${Math.random()}` },
    recipient: { country: 'US', region: 'NY', timeZone: 'America/New_York' },
  });

let simulator: ChildService;
const running: ChildService[] = [];
const taps: TopicTap<never>[] = [];

describe('outcomes decided while the broker is away, then kill -9', () => {
  before(async () => {
    simulator = await startSimulator(stack, 'outbox');
  });

  after(async () => {
    await Promise.all(running.map((d) => d.stop()));
    await simulator?.stop();
    await Promise.all(taps.map((t) => t.stop()));
    await world.close();
  });

  it('publishes the blocked envelope and the sending status after a restart, once each', async () => {
    const tools = await brokerTools();
    const profile = tools.getProfile('test');
    await world.tenant(tenant);
    const first = await (await dispatcherProcess(stack, simulator.url, 'outbox-1', env)).start();
    running.push(first);
    const sent = reminder(uniqueNumber('212'));
    const blocked = reminder(uniqueNumber('212'));
    await world.cleared(sent, blocked);
    await waitFor('both queued until 8:00', () => world.settled([sent.id, blocked.id], ['queued']), { timeoutMs: 60_000 });

    // The recipient of one opts out while it waits: it is blocked when it comes due.
    await world.optOut(tenant.tenantId, blocked.message.to, `brand:${brand}`);
    const token = world.pseudonyms.token(tenant.tenantId, blocked.message.to);
    await waitFor('the opt-out in the dispatcher', async () =>
      (await world.db.query(`SELECT 1 FROM dispatcher.consent_state WHERE recipient_token = $1 AND opted_out`, [token])).rowCount ? true : undefined,
    );

    // The broker goes; 8:00 comes: both outcomes commit, and their publishing waits for the broker.
    await tools.killBroker(profile.name);
    try {
      assert.ok(await world.settled([sent.id, blocked.id], ['queued']), 'the broker went before 8:00: nothing was decided yet');
      const [sentRow, blockedRow] = await waitFor(
        'one sent, one blocked, in the ledger',
        async () => {
          const rows = await world.ledger([sent.id, blocked.id]);
          const s = rows.find((r) => r.message_id === sent.id);
          const b = rows.find((r) => r.message_id === blocked.id);
          return s?.state === 'accepted' && b?.state === 'blocked' ? [s, b] : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      assert.ok(sentRow.twilio_sid);
      assert.match(blockedRow.error_message ?? '', /opted out/i);
      await first.kill();
    } finally {
      await tools.startBroker(profile.name, () => undefined);
    }

    const statuses = await new TopicTap(kafka, TOPICS.status).start();
    const stopped = await new TopicTap(kafka, TOPICS.stopped).start();
    taps.push(statuses as never, stopped as never);
    running.push(await (await dispatcherProcess(stack, simulator.url, 'outbox-2', env)).start(false));

    const sending = await waitFor('the sending status', async () => statuses.find((s) => s.messageId === sent.id && s.status === 'sending'), { timeoutMs: 60_000 });
    assert.equal(sending.twilioSid, (await world.ledger([sent.id]))[0]!.twilio_sid);
    const envelope = await waitFor('the blocked envelope', async () => stopped.find((e) => e.id === blocked.id), { timeoutMs: 60_000 });
    const verdict = envelope.verdicts.at(-1)!;
    assert.equal(verdict.stage, 'dispatcher');
    assert.equal(verdict.decision, 'block');

    // Marked published once acknowledged; nothing is left to publish, and nothing went twice.
    await waitFor('the outbox drained', async () =>
      Number((await world.db.query<{ n: string }>(`SELECT count(*) AS n FROM dispatcher.outbox WHERE message_id = ANY($1::uuid[]) AND published_at IS NULL`, [[sent.id, blocked.id]])).rows[0]!.n) === 0
        ? true
        : undefined,
    );
    assert.equal(statuses.records.filter((r) => r.value?.messageId === sent.id && r.value.status === 'sending').length, 1, 'sending published once');
    assert.equal(stopped.records.filter((r) => r.value?.id === blocked.id).length, 1, 'the blocked envelope published once');
  });
});
