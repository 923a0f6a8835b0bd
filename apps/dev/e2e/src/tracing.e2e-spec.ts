import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { TOPICS } from '@sms/contracts';
import { call, testKafka, testStack, TopicTap, waitFor } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  attributes: Record<string, unknown>;
}

async function spans(query: string): Promise<ReceivedSpan[]> {
  return (await call<{ spans: ReceivedSpan[] }>(`${stack.otlpReceiverUrl}/spans?${query}`)).body.spans;
}

const SIX = ['audit', 'consent', 'content-screening', 'dispatcher', 'intake', 'snowshoeing-detector'];

describe('tracing', () => {
  let tenant: Awaited<ReturnType<Pipeline['newTenant']>>;
  let to: string;
  let body: string;
  let id: string;
  before(async () => {
    tenant = await pipeline.newTenant();
    to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    body = `Acme Dental: traced offer, ref ${Date.now()}. Reply STOP to opt out.`;
    id = await pipeline.send(tenant, { to, body });
    await pipeline.waitForStatus(tenant, id, ['delivered']);
  });

  it('finds the trace of the message in Zipkin, the trace backend, with spans from all six services', async () => {
    interface ZipkinSpan {
      traceId: string;
      id: string;
      parentId?: string;
      localEndpoint?: { serviceName?: string };
      tags?: Record<string, string>;
    }
    const traces = await waitFor(
      'the trace in Zipkin',
      async () => {
        const answer = await call<ZipkinSpan[][]>(`${stack.zipkinUrl}/api/v2/traces?annotationQuery=${encodeURIComponent(`sms.message_id=${id}`)}&lookback=3600000&limit=10`);
        const found = answer.status === 200 ? answer.body : [];
        const services = new Set(found.flat().map((s) => s.localEndpoint?.serviceName));
        return found.length === 1 && SIX.every((s) => services.has(s)) ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    assert.equal(traces.length, 1, 'one trace per message');
    const spans = traces[0]!;
    assert.equal(spans.filter((s) => s.parentId === undefined).length, 1, 'one root');
    const text = JSON.stringify(spans.map((s) => s.tags ?? {}));
    assert.equal(text.includes(to), false, 'no phone number in the stored spans');
    assert.equal(text.includes(body), false, 'no body in the stored spans');
  });

  it('makes one trace per message with spans from all six services', async () => {
    const trace = await waitFor(
      'spans from all six services in the message trace',
      async () => {
        const tagged = await spans(`messageId=${id}`);
        const traceIds = new Set(tagged.map((s) => s.traceId));
        if (traceIds.size !== 1) return undefined;
        const all = await spans(`traceId=${[...traceIds][0]}`);
        const services = [...new Set(all.map((s) => s.service))].sort();
        const ids = new Set(all.map((s) => s.spanId));
        const orphans = all.filter((s) => s.parentSpanId !== null && !ids.has(s.parentSpanId));
        // Spans are exported in batches: wait until every parent has arrived too.
        return SIX.every((s) => services.includes(s)) && orphans.length === 0 ? { all, services, traceIds } : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    assert.equal(trace.traceIds.size, 1, 'every span tagged with the message id is in one trace');
    assert.deepEqual(
      trace.services.filter((s) => SIX.includes(s)),
      SIX,
    );
    // Exactly one root: every other span's parent is in the same trace (the context crossed Kafka).
    assert.equal(trace.all.filter((s) => s.parentSpanId === null).length, 1);
  });

  it('never puts the phone number or the body in clear in span attributes or logs', async () => {
    const all = await spans('');
    const attributeText = JSON.stringify(all.map((s) => s.attributes));
    assert.ok(all.length > 0);
    assert.equal(attributeText.includes(to), false, 'recipient number in span attributes');
    assert.equal(attributeText.includes(to.slice(1)), false, 'recipient number (without +) in span attributes');
    assert.equal(attributeText.includes(body), false, 'message body in span attributes');
    for (const file of readdirSync(stack.logDir)) {
      if (file === 'twilio-simulator.log') continue; // the simulator plays Twilio: it may log what Twilio sees
      const log = readFileSync(join(stack.logDir, file), 'utf8');
      assert.equal(log.includes(to), false, `recipient number in ${file}`);
      assert.equal(log.includes(body), false, `message body in ${file}`);
    }
  });

  it('keeps the phone numbers and the body out of the analyst topic, which still describes the message', async () => {
    const tap = await new TopicTap(testKafka(stack.kafkaBrokers), TOPICS.analyst).start();
    try {
      const ofMessage = await waitFor(
        'the analyst events of the message',
        async () => {
          const events = tap.records.filter((r) => r.value?.messageId === id);
          return events.some((r) => r.value?.status === 'delivered') ? events : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 300 },
      );
      const stages = new Set(ofMessage.map((r) => r.value?.stage).filter(Boolean));
      for (const stage of ['consent', 'content-screening', 'snowshoeing-detector']) assert.ok(stages.has(stage), `the ${stage} decision is on the analyst topic`);
      // Decisions name the recipient by pseudonym; status events join on the message id.
      const decisions = ofMessage.filter((r) => r.value?.kind === 'decision');
      assert.ok(decisions.length >= 3 && decisions.every((r) => /^[A-Za-z0-9_-]{22}$/.test(r.value?.recipient ?? '')), 'the recipient is a keyed hash');
      const everything = tap.records.map((r) => r.raw?.toString('utf8') ?? '').join('\n');
      for (const secret of [to, to.slice(1), body, tenant.senders[0]!, tenant.senders[0]!.slice(1)]) {
        assert.equal(everything.includes(secret), false, `"${secret.slice(0, 12)}..." in clear on the analyst topic`);
      }
    } finally {
      await tap.stop();
    }
  });
});
