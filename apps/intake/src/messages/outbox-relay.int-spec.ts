import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TOPICS, type MessageEnvelope } from '@sms/contracts';
import { decodeValue } from '@sms/kafka';
import { aRecipient, aTenant, anEnvelope, call, publishTenant, startServiceInProcess, testKafka, testStack, waitFor, type RunningService } from '@sms/testing';
import { hashApiKey } from '@sms/tenancy';
import type { Consumer } from 'kafkajs';
import pg from 'pg';
import { IntakeModule } from '../app.module.js';
import { INTAKE_CONFIG } from '../config.js';

const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
const tenantId = `relay-${randomUUID().slice(0, 8)}`;
const apiKey = `sk_${randomUUID()}`;

/** sms.accepted.v1 as it stands, with each partition's last offset read, to know when it has read everything. */
class AcceptedTap {
  readonly envelopes: MessageEnvelope[] = [];
  private readonly read = new Map<number, bigint>();
  private consumer: Consumer | null = null;

  async start(): Promise<void> {
    this.consumer = kafka.consumer({ groupId: `tap-${randomUUID()}`, maxWaitTimeInMs: 50 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.accepted.name, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const decoded = decodeValue(TOPICS.accepted, message.value);
        if (decoded.ok && decoded.value.tenantId === tenantId) this.envelopes.push(decoded.value);
        this.read.set(partition, BigInt(message.offset));
      },
    });
  }

  /** Waits until every record on the topic now has been read. */
  async catchUp(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(TOPICS.accepted.name).finally(() => admin.disconnect());
    await waitFor('the tap to read the whole topic', async () => (ends.every((e) => BigInt(e.high) === 0n || (this.read.get(e.partition) ?? -1n) >= BigInt(e.high) - 1n) ? true : undefined));
  }

  ids(to?: string): string[] {
    return this.envelopes.filter((e) => to === undefined || e.message.to === to).map((e) => e.id);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** The ids in the order each first appeared. */
const firstSeen = (ids: string[]): string[] => [...new Set(ids)];

describe('the outbox relay (real Kafka and Postgres)', () => {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  const tap = new AcceptedTap();
  const running: RunningService[] = [];

  /**
   * An intake instance whose relay looks every 50 ms; an instance counts as gone 3 s after its
   * last renewal. (The relay once took every message older than OUTBOX_RELAY_AGE_MS: at 1 ms,
   * whatever was still in flight.)
   */
  const anIntake = async () => {
    const intake = await startServiceInProcess({
      name: 'intake',
      spec: INTAKE_CONFIG,
      module: (c, l) => IntakeModule.forRoot(c, l),
      env: { TWILIO_AUTH_TOKEN: stack.twilio.authToken, RATE_LIMIT_PER_SECOND: '100000', OUTBOX_RELAY_INTERVAL_MS: '50', OUTBOX_CLAIM_LEASE_MS: '3000', OUTBOX_RELAY_AGE_MS: '1' },
    });
    running.push(intake);
    await waitFor('intake to be ready', async () => ((await call(`${intake.url}/health`)).status === 200 ? true : undefined));
    return intake;
  };

  before(async () => {
    await publishTenant(aTenant({ tenantId, apiKeyHashes: [hashApiKey(apiKey)] }));
    await Promise.all([db.connect(), tap.start()]);
  });

  after(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await Promise.all([db.end(), tap.stop()]);
  });

  const unpublished = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM intake.accepted_messages WHERE tenant_id = $1 AND published_at IS NULL`, [tenantId])).rows[0]!.n);

  it('never publishes again a message whose publish is still in flight, in this instance or another, however long the backlog', async () => {
    const [a, b] = [await anIntake(), await anIntake()];
    const recipients = Array.from({ length: 20 }, () => aRecipient());
    // A backlog: 2,000 messages, 200 requests at a time, over two instances whose relays look every 50 ms.
    const answers: Awaited<ReturnType<typeof call<{ id: string }>>>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        for (let n = next++; n < 2_000; n = next++) {
          answers.push(
            await call<{ id: string }>(`${(n % 2 === 0 ? a : b).url}/v1/messages`, {
              apiKey,
              body: { to: recipients[n % 20], from: '+14155550101', brand: 'Acme Dental', campaign: 'reminders', useCase: 'informational', body: `Acme Dental: reminder ${n}. Reply STOP to opt out.` },
            }),
          );
        }
      }),
    );
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [202]);
    await waitFor('every message to be marked published', async () => ((await unpublished()) === 0 ? true : undefined), { timeoutMs: 60_000 });
    await tap.catchUp();
    const ids = tap.ids().filter((id) => answers.some((r) => r.body.id === id));
    assert.equal(new Set(ids).size, 2_000, 'every message is on the topic');
    assert.equal(ids.length, 2_000, `none twice (${ids.length - 2_000} published again)`);
  });

  it("publishes, in acceptance order, the messages of an instance that died mid-publish, and leaves a live instance's alone", async () => {
    await anIntake();
    const to = aRecipient();
    const [dead, live] = [randomUUID(), randomUUID()];
    await db.query(`INSERT INTO intake.outbox_instances (id, alive_until) VALUES ($1, now() - interval '1 second'), ($2, now() + interval '1 hour')`, [dead, live]);
    // One person's messages, stored by instances that claimed them; inserted out of order, at once.
    const messages = Array.from({ length: 30 }, (_, n) => ({
      envelope: anEnvelope({ tenantId, message: { to, body: `Acme Dental: reminder ${n}. Reply STOP to opt out.` } }),
      acceptedAt: new Date(Date.UTC(2026, 10, 27, 15, 0, 0) + n).toISOString().replace('Z', `${n % 10}00Z`),
      claimant: n < 20 ? dead : live,
    }));
    await db.query('BEGIN');
    for (const m of [...messages].reverse()) {
      await db.query(`INSERT INTO intake.accepted_messages (id, tenant_id, request_hash, envelope, accepted_at, claimed_by) VALUES ($1, $2, 'h', $3, $4, $5)`, [
        m.envelope.id,
        tenantId,
        JSON.stringify(m.envelope),
        m.acceptedAt,
        m.claimant,
      ]);
    }
    await db.query('COMMIT');
    const ofDead = messages.filter((m) => m.claimant === dead).map((m) => m.envelope.id);
    const ofLive = messages.filter((m) => m.claimant === live).map((m) => m.envelope.id);
    // At least once, in acceptance order: a publish the broker applied but did not acknowledge in
    // time is repeated whole (message-intake.service.ts), so a message may be on the topic twice,
    // which consumers take once by its id; what must hold is the order of first appearance.
    await waitFor("the dead instance's messages on the topic", async () => (firstSeen(tap.ids(to)).length >= ofDead.length ? true : undefined));
    assert.deepEqual(firstSeen(tap.ids(to)), ofDead, "published in the order they were accepted, none lost, none of the live instance's");
    await waitFor('them to be marked', async () => ((await unpublished()) === ofLive.length ? true : undefined));
    const left = await db.query<{ id: string; claimed_by: string }>(`SELECT id, claimed_by FROM intake.accepted_messages WHERE tenant_id = $1 AND published_at IS NULL ORDER BY accepted_at`, [
      tenantId,
    ]);
    assert.deepEqual(
      left.rows,
      ofLive.map((id) => ({ id, claimed_by: live })),
      "the live instance's are still its own: the relay claimed them with the dead one's, or not at all",
    );

    // Now that one dies too.
    await db.query(`UPDATE intake.outbox_instances SET alive_until = now() WHERE id = $1`, [live]);
    await waitFor("the second instance's messages on the topic", async () => (firstSeen(tap.ids(to)).length >= messages.length ? true : undefined));
    await waitFor('all to be marked', async () => ((await unpublished()) === 0 ? true : undefined));
    await tap.catchUp();
    assert.deepEqual(firstSeen(tap.ids(to)), [...ofDead, ...ofLive], 'nothing lost, in acceptance order');
  });
});
