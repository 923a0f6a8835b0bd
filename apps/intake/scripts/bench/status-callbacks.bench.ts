// `npm run bench:callbacks`: what Twilio's status callbacks cost, alone, on the running stack.
// Not a test: it prints figures. tools/run-bench.mjs --stack starts the broker, the database and
// every service, and names their pids in BENCH_PIDS. For each of BENCH_CALLBACK_MESSAGES
// messages (4,000 unless set) this posts what Twilio posts for a message sent through a
// Messaging Service, queued, sent and delivered, signed as Twilio signs them, BENCH_CALLBACK_CONCURRENCY
// (32) at a time, and reads per message: the CPU of intake and of every process (from /proc,
// less what each used at rest), the rows intake's schema inserted and updated and the commits
// of the whole database (PostgreSQL's statistics), and the records intake produced on
// sms.status.v1 (the topic's end offsets). The messages are unknown to the dispatcher and to
// consent, so their consumers find nothing to update: the CPU outside intake is reading and
// recording the statuses (audit appends them to its history), not a message's whole life.
//   TEST_SLOT=3 npm run bench:callbacks
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { TOPICS } from '@sms/contracts';
import { createKafkaClient } from '@sms/kafka';
import pg from 'pg';
import twilio from 'twilio';

const stackFile = process.env['TEST_STACK_FILE'];
if (!stackFile) throw new Error('run it through tools/run-bench.mjs --stack (npm run bench:callbacks), which sets TEST_STACK_FILE');
const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { kafkaBrokers: string[]; databaseUrl: string; twilio: { accountSid: string; authToken: string }; urls: { intake: string } };
const pids = JSON.parse(process.env['BENCH_PIDS'] ?? '{}') as Record<string, number>;
const MESSAGES = Number(process.env['BENCH_CALLBACK_MESSAGES'] ?? 4_000);
const CONCURRENCY = Number(process.env['BENCH_CALLBACK_CONCURRENCY'] ?? 32);
const STATES = ['queued', 'sent', 'delivered'] as const;
const REST_SECONDS = 5;

/** CPU seconds (user + system) by process: the named pids, and all of Postgres (its exited backends too). */
function cpu(): Record<string, number> {
  const fields = (pid: string): string[] | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  const comm = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const f = fields(String(pid));
    if (f) seconds[name] = (Number(f[11]) + Number(f[12])) / 100;
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (comm(pid) !== 'postgres') continue;
    const f = fields(pid);
    if (!f) continue;
    const root = comm(f[1]!) !== 'postgres';
    seconds['postgres'] = (seconds['postgres'] ?? 0) + (Number(f[11]) + Number(f[12])) / 100 + (root ? (Number(f[13]) + Number(f[14])) / 100 : 0);
  }
  return seconds;
}

const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
const database = (await db.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
/** Rows intake's tables inserted and updated, and the database's commits, so far (as PostgreSQL's statistics have them). */
async function writes(): Promise<{ inserted: number; updated: number; commits: number; byTable: Record<string, number> }> {
  await db.query('SELECT pg_stat_clear_snapshot()');
  const tables = await db.query<{ name: string; ins: string; upd: string }>(`SELECT relname AS name, n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables WHERE schemaname = 'intake'`);
  const commits = await db.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [database]);
  return {
    inserted: tables.rows.reduce((s, r) => s + Number(r.ins), 0),
    updated: tables.rows.reduce((s, r) => s + Number(r.upd), 0),
    commits: Number(commits.rows[0]!.n),
    byTable: Object.fromEntries(tables.rows.map((r) => [r.name, Number(r.ins) + Number(r.upd)])),
  };
}

const admin = createKafkaClient({ brokers: stack.kafkaBrokers, clientId: 'bench-callbacks' }).admin();
await admin.connect();
const statusEnd = async () => (await admin.fetchTopicOffsets(TOPICS.status.name)).reduce((s, p) => s + Number(p.high), 0);

const tenantId = `bench-${randomUUID().slice(0, 8)}`;
/** One message's callbacks, as Twilio posts them to the URL the dispatcher gave, each signed over that URL and its fields. */
function callbacksOf(n: number): { url: string; body: string; signature: string; token: string }[] {
  const messageId = randomUUID();
  const sid = `SM${randomUUID().replace(/-/g, '')}`;
  const url = `${stack.urls.intake}/twilio/status?m=${messageId}&t=${tenantId}&tp=00-${randomUUID().replace(/-/g, '')}-${sid.slice(2, 18)}-01`;
  return STATES.map((status) => {
    const params = {
      AccountSid: stack.twilio.accountSid,
      ApiVersion: '2010-04-01',
      MessageSid: sid,
      MessageStatus: status,
      MessagingServiceSid: `MG${'0'.repeat(31)}${n % 10}`,
      SmsSid: sid,
      SmsStatus: status,
      To: `+1415555${String(n % 10_000).padStart(4, '0')}`,
    };
    return { url, body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(stack.twilio.authToken, url, params), token: randomUUID() };
  });
}

// Signed before the clock starts: the driver's own work is not what is measured (nor counted: it is not in BENCH_PIDS).
const messages = Array.from({ length: MESSAGES }, (_, n) => callbacksOf(n));
const answers = new Map<number, number>();
async function post(c: { url: string; body: string; signature: string; token: string }): Promise<void> {
  const response = await fetch(c.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': c.signature, 'i-twilio-idempotency-token': c.token },
    body: c.body,
  });
  await response.arrayBuffer();
  answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
}

const restStart = cpu();
await new Promise((r) => setTimeout(r, REST_SECONDS * 1000));
const restEnd = cpu();
const atRest = Object.fromEntries(Object.entries(restEnd).map(([p, s]) => [p, (s - (restStart[p] ?? 0)) / REST_SECONDS]));

const writesBefore = await writes();
const endBefore = await statusEnd();
const cpuBefore = cpu();
const startedAt = Date.now();
// Each message's callbacks in order, one after the other (as Twilio posts them); CONCURRENCY messages at a time.
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < messages.length) {
      for (const c of messages[next++]!) await post(c);
    }
  }),
);
const postedIn = (Date.now() - startedAt) / 1000;
// The consumers of sms.status.v1 (audit gathers for up to 250 ms) and the statistics (flushed within a second) catch up.
await new Promise((r) => setTimeout(r, 3_000));
const cpuAfter = cpu();
const windowSeconds = (Date.now() - startedAt) / 1000;
const writesAfter = await writes();
const produced = (await statusEnd()) - endBefore;
await Promise.all([admin.disconnect(), db.end()]);

const perMessage = (x: number) => Number((x / MESSAGES).toFixed(3));
const rows = Object.entries(cpuAfter)
  .map(([process, s]) => {
    const used = s - (cpuBefore[process] ?? 0) - (atRest[process] ?? 0) * windowSeconds;
    return { process, 'CPU s': Number(used.toFixed(2)), 'ms/message': perMessage(used * 1000), 'at rest, cores': Number((atRest[process] ?? 0).toFixed(3)) };
  })
  .sort((a, b) => b['CPU s'] - a['CPU s']);
console.log(
  `${MESSAGES} messages, ${MESSAGES * STATES.length} status callbacks (${STATES.join(', ')}) posted in ${postedIn.toFixed(1)} s, ${CONCURRENCY} messages at a time; answers: ${JSON.stringify(Object.fromEntries(answers))}`,
);
console.log('CPU per message over the window (less what each process uses at rest), from /proc:');
console.table(rows);
console.log(`the whole stack: ${perMessage(rows.reduce((s, r) => s + r['CPU s'], 0) * 1000)} ms per message`);
console.table([
  {
    'records produced on sms.status.v1': perMessage(produced),
    'rows inserted, intake': perMessage(writesAfter.inserted - writesBefore.inserted),
    'rows updated, intake': perMessage(writesAfter.updated - writesBefore.updated),
    'commits, whole database': perMessage(writesAfter.commits - writesBefore.commits),
  },
]);
console.log(
  'intake rows written by table (per message):',
  JSON.stringify(Object.fromEntries(Object.entries(writesAfter.byTable).map(([t, n]) => [t, perMessage(n - (writesBefore.byTable[t] ?? 0))]))),
);
