import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TOPICS } from '@sms/contracts';
import { startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import { startTracing, type TracingHandle } from '@sms/tracing';
import pg from 'pg';
import twilio from 'twilio';
import { IntakeModule } from '../app.module.js';
import { INTAKE_CONFIG } from '../config.js';

const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
/** The address Twilio is told to call: signatures are computed over it, not over the socket intake listens on. */
const PUBLIC_URL = 'https://gateway.example.org';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The fields Twilio posts to a StatusCallback URL (as the simulator, which follows Twilio's documentation). */
const fields = (sid: string, status: string, extra: Record<string, string> = {}) => ({
  AccountSid: stack.twilio.accountSid,
  ApiVersion: '2010-04-01',
  MessageSid: sid,
  MessageStatus: status,
  SmsSid: sid,
  SmsStatus: status,
  To: '+14155550123',
  From: '+14155550101',
  ...extra,
});

describe("Twilio's status callbacks on intake's lean handler (real Kafka and Postgres)", () => {
  let intake: RunningService;
  // As intake's main.ts does first (W3C trace context), exporting nowhere.
  let tracing: TracingHandle;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  const statuses = new TopicTap(kafka, TOPICS.status);
  const admin = kafka.admin();

  /** Posts a callback as Twilio does: form fields, signed over the public URL with the account's token, with its idempotency token. */
  async function callback(path: string, params: Record<string, string>, options: { token?: string; sign?: 'valid' | 'none' | 'wrong-token'; json?: boolean } = {}) {
    const signature = twilio.getExpectedTwilioSignature(options.sign === 'wrong-token' ? 'not-the-auth-token-0000000000000' : stack.twilio.authToken, `${PUBLIC_URL}${path}`, params);
    const response = await fetch(`${intake.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
        'i-twilio-idempotency-token': options.token ?? randomUUID(),
        ...(options.sign === 'none' ? {} : { 'x-twilio-signature': signature }),
      },
      body: options.json ? JSON.stringify(params) : new URLSearchParams(params).toString(),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), body: text ? (JSON.parse(text) as { type: string; errors?: { path: string }[] }) : null };
  }

  /** How many rows each table of intake's schema holds. */
  async function intakeRows(): Promise<Record<string, number>> {
    const tables = await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'intake' AND table_type = 'BASE TABLE' ORDER BY 1`);
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) counts[name] = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM intake.${name}`)).rows[0]!.n);
    return counts;
  }

  /** The sum of sms.status.v1's partitions' end offsets: what the broker has acknowledged. */
  const statusEnd = async () => (await admin.fetchTopicOffsets(TOPICS.status.name)).reduce((sum, p) => sum + Number(p.high), 0);
  const recordsOf = (messageId: string) => statuses.records.filter((r) => r.value?.messageId === messageId);

  before(async () => {
    tracing = startTracing('intake', {});
    await Promise.all([db.connect(), statuses.start(), admin.connect()]);
    intake = await startServiceInProcess({
      name: 'intake',
      spec: INTAKE_CONFIG,
      module: (c, l) => IntakeModule.forRoot(c, l),
      env: { TWILIO_AUTH_TOKEN: stack.twilio.authToken, INTAKE_PUBLIC_URL: PUBLIC_URL },
      formBodies: true,
    });
  });

  after(async () => {
    await intake.stop();
    await Promise.all([db.end(), statuses.stop(), admin.disconnect(), tracing.shutdown()]);
  });

  it('publishes a delivery report before it answers, in the trace of the message, and writes no row', async () => {
    const messageId = randomUUID();
    const path = `/twilio/status?m=${messageId}&t=acme&tp=00-${TRACE_ID}-00f067aa0ba902b7-01`;
    const rowsBefore = await intakeRows();
    const endBefore = await statusEnd();
    const answer = await callback(path, fields(`SM${randomUUID().replace(/-/g, '')}`, 'undelivered', { ErrorCode: '30003' }));
    assert.deepEqual([answer.status, answer.body], [204, null]);
    assert.ok((await statusEnd()) > endBefore, 'the broker had the record when Twilio got its answer');
    const [record] = await waitFor('the status on sms.status.v1', async () => (recordsOf(messageId).length > 0 ? recordsOf(messageId) : undefined));
    assert.deepEqual([record!.key, record!.value?.status, record!.value?.source, record!.value?.errorCode, record!.value?.tenantId], [messageId, 'undelivered', 'twilio-callback', 30003, 'acme']);
    assert.match(record!.headers['traceparent'] ?? '', new RegExp(`^00-${TRACE_ID}-`), "the consumers' spans join the message's trace");
    assert.deepEqual(await intakeRows(), rowsBefore, 'no receipt, no row of any kind');
  });

  it('answers a replayed delivery report as the first: the same event again, which every consumer takes once, and no receipt', async () => {
    const messageId = randomUUID();
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    const path = `/twilio/status?m=${messageId}&t=acme`;
    const rowsBefore = await intakeRows();
    const delivered = fields(sid, 'delivered');
    // Twilio's own retry carries the same idempotency token; a captured request sent again does too.
    assert.equal((await callback(path, delivered, { token: 'status-replay-1' })).status, 204);
    assert.equal((await callback(path, delivered, { token: 'status-replay-1' })).status, 204, 'a replay is answered as the first, not refused');
    const both = await waitFor('both records', async () => (recordsOf(messageId).length >= 2 ? recordsOf(messageId) : undefined));
    const [first, again] = both.map((r) => r.value!);
    assert.deepEqual({ ...again!, at: first!.at }, first, 'the same message, Twilio message and state: what audit, the dispatcher and consent deduplicate on');
    assert.deepEqual(await intakeRows(), rowsBefore, 'no receipt, no row of any kind');
    const receipts = await db.query(`SELECT 1 FROM intake.webhook_receipts WHERE key = 'token:status-replay-1'`);
    assert.equal(receipts.rowCount, 0);
  });

  it('answers queued (and any state the pipeline does not track) at once: nothing published, nothing written', async () => {
    const messageId = randomUUID();
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    const path = `/twilio/status?m=${messageId}&t=acme`;
    const rowsBefore = await intakeRows();
    for (const status of ['queued', 'queued', 'sending', 'accepted']) assert.equal((await callback(path, fields(sid, status))).status, 204, status);
    assert.deepEqual(await intakeRows(), rowsBefore, 'no row of any kind');
    // Then a state that is published: on the same partition, after anything the ones before had published.
    assert.equal((await callback(path, fields(sid, 'sent'))).status, 204);
    await waitFor('the sent status', async () => (recordsOf(messageId).some((r) => r.value?.status === 'sent') ? true : undefined));
    assert.deepEqual(
      recordsOf(messageId).map((r) => r.value?.status),
      ['sent'],
      'queued, sending and accepted published nothing',
    );
  });

  it('refuses what is not a signed callback of ours with a problem (JSON), before reading it', async () => {
    const messageId = randomUUID();
    const path = `/twilio/status?m=${messageId}&t=acme`;
    const delivered = fields(`SM${randomUUID().replace(/-/g, '')}`, 'delivered');
    const problem = (a: Awaited<ReturnType<typeof callback>>) => [a.status, a.type?.split(';')[0], a.body?.type.replace('urn:sms-gateway:problem:', '')];
    assert.deepEqual(problem(await callback(path, delivered, { sign: 'none' })), [403, 'application/problem+json', 'unsigned-webhook']);
    assert.deepEqual(problem(await callback(path, delivered, { sign: 'wrong-token' })), [403, 'application/problem+json', 'bad-signature']);
    assert.deepEqual(problem(await callback(path, delivered, { json: true })), [415, 'application/problem+json', 'unsupported-media-type']);
    const noMessage = await callback('/twilio/status?m=not-a-uuid&t=acme', delivered);
    assert.deepEqual(problem(noMessage), [400, 'application/problem+json', 'validation']);
    assert.deepEqual(
      noMessage.body?.errors?.map((e) => e.path),
      ['query.m'],
    );
    const { MessageStatus: _, ...noStatus } = delivered;
    const missing = await callback(path, noStatus);
    assert.deepEqual(problem(missing), [400, 'application/problem+json', 'validation']);
    assert.deepEqual(
      missing.body?.errors?.map((e) => e.path),
      ['body.MessageStatus'],
    );
    // Then a good one for the same message: it alone reaches the topic.
    assert.equal((await callback(path, delivered)).status, 204);
    await waitFor('the delivered status', async () => (recordsOf(messageId).length > 0 ? true : undefined));
    assert.deepEqual(
      recordsOf(messageId).map((r) => r.value?.status),
      ['delivered'],
    );
  });
});
