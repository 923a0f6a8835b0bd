import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { lastVerdict, TOPICS, type MessageEnvelope } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { encodeValue } from '@sms/kafka';
import { anEnvelope, aTenant, produceRaw, publishTenant, startServiceInProcess, testKafka, testStack, TopicTap, waitFor, type RunningService } from '@sms/testing';
import { ContentScreeningModule } from '../app.module.js';
import { SCREENING_CONFIG } from '../config.js';
import { TextEncoder } from '../rules/model/text-encoder.js';

// The stage against a real broker: consented messages in, screened or stopped out, each with
// the stage's verdict, and the tenant's own settings read from the tenant topic.
const stack = testStack();
const kafka = testKafka(stack.kafkaBrokers);
const pseudonyms = new Pseudonymizer(stack.piiHashKey);
let service: RunningService;
let screened: TopicTap<typeof TOPICS.screened.schema>;
let stopped: TopicTap<typeof TOPICS.stopped.schema>;
const lenient = `screen-${randomUUID().slice(0, 8)}`;
const strict = `screen-strict-${randomUUID().slice(0, 8)}`;

before(async () => {
  await publishTenant(aTenant({ tenantId: lenient }));
  await publishTenant(aTenant({ tenantId: strict, settings: { publicUrlShortener: 'block', missingOptOutLanguage: 'block' } }));
  screened = await new TopicTap(kafka, TOPICS.screened).start();
  stopped = await new TopicTap(kafka, TOPICS.stopped).start();
  service = await startServiceInProcess({ name: 'content-screening', spec: SCREENING_CONFIG, module: (c, l) => ContentScreeningModule.forRoot(c, l) });
});

after(async () => {
  await service?.stop();
  await screened?.stop();
  await stopped?.stop();
});

async function send(tenantId: string, body: string): Promise<string> {
  const envelope = anEnvelope({ tenantId, message: { body, useCase: 'marketing' } });
  // Keyed as consent keys them: by recipient token, which goes on as the key of what screening publishes.
  await produceRaw(kafka, TOPICS.consented.name, [{ key: pseudonyms.token(envelope.tenantId, envelope.message.to), value: encodeValue(envelope) }]);
  return envelope.id;
}

const on = (tap: TopicTap<typeof TOPICS.screened.schema>, id: string): Promise<MessageEnvelope> =>
  waitFor(`message ${id} on ${tap === screened ? 'screened' : 'stopped'}`, async () => tap.find((e) => e.id === id));

describe('content-screening stage', () => {
  it('forwards a clean message unchanged, and a fixable one with the fix applied and recorded', async () => {
    const clean = await send(lenient, 'Acme Dental: 15% off whitening until Friday. Reply STOP to opt out.');
    const fixable = await send(lenient, 'Acme Dental: 15% off whitening until Friday.');
    const passed = await on(screened, clean);
    assert.equal(lastVerdict(passed)?.decision, 'pass');
    assert.equal(passed.message.body, 'Acme Dental: 15% off whitening until Friday. Reply STOP to opt out.');
    const fixed = await on(screened, fixable);
    assert.equal(lastVerdict(fixed)?.decision, 'transform');
    assert.deepEqual(lastVerdict(fixed)?.transform?.kind, 'append');
    assert.equal(fixed.message.body, 'Acme Dental: 15% off whitening until Friday. Reply STOP to opt out.');
    assert.equal(screened.records.find((r) => r.value?.id === clean)?.key, pseudonyms.token(passed.tenantId, passed.message.to), 'keyed by recipient token');
  });

  it('stops prohibited content with its evidence', async () => {
    const id = await send(lenient, 'Acme Dental: relax before your visit with our CBD gummies! Reply STOP to opt out.');
    const verdict = lastVerdict(await on(stopped, id));
    assert.equal(verdict?.decision, 'block');
    assert.deepEqual(verdict?.clauses, ['MP.CONTENT.CANNABIS']);
    assert.equal(verdict?.evidence?.[0]?.text, 'CBD gummies');
    assert.equal(
      screened.find((e) => e.id === id),
      undefined,
    );
    const blocked = stopped.records.find((r) => r.value?.id === id)!;
    assert.equal(blocked.key, pseudonyms.token(blocked.value!.tenantId, blocked.value!.message.to), 'keyed by recipient token');
  });

  it("applies each tenant's settings: hold or block a shortened link, fix or block a missing opt-out line", async () => {
    const held = await send(lenient, 'Acme Dental: book at https://bit.ly/acme. Reply STOP to opt out.');
    const blocked = await send(strict, 'Acme Dental: book at https://bit.ly/acme. Reply STOP to opt out.');
    const refused = await send(strict, 'Acme Dental: 15% off whitening until Friday.');
    assert.equal(lastVerdict(await on(stopped, held))?.decision, 'hold');
    assert.equal(lastVerdict(await on(stopped, blocked))?.decision, 'block');
    assert.deepEqual(lastVerdict(await on(stopped, refused))?.clauses, ['MP.OPTOUT.LANGUAGE']);
  });

  it('asks the text encoder about a scam no rule knows before it is blocked, and records its opinion on the verdict', async () => {
    const encoder = await TextEncoder.load();
    const version = encoder.version;
    await encoder.close();
    const scam = await send(lenient, 'Acme Dental: Mom, I dropped my phone, this is my new number. Can you send me 300 for a repair? Text me back here. Reply STOP to opt out.');
    const reminder = await send(lenient, 'Acme Dental: your cleaning is tomorrow at 9:00 with Dr. Lee. Reply STOP to opt out.');
    const verdict = lastVerdict(await on(stopped, scam));
    assert.equal(verdict?.facts['encoderVersion'], version);
    assert.deepEqual(verdict?.facts['categories'], ['fraud']);
    assert.match(verdict?.reason ?? '', /text encoder/);
    assert.equal(lastVerdict(await on(screened, reminder))?.decision, 'pass');
  });
});
