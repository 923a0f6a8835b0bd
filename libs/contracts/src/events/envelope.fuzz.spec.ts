import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MessageEnvelopeSchema, SendRequestSchema } from '../index.js';

const valid = {
  schema: 'sms.envelope',
  version: 1,
  id: '8d3c1c2e-5b7a-4f7e-9a39-2f4f3b0f9d11',
  tenantId: 'acme-dental',
  kind: 'standard',
  channel: 'http',
  acceptedAt: '2026-11-27T10:00:00.000Z',
  message: { to: '+14155552671', from: '+14155550101', brand: 'Acme Dental', campaign: 'offers', useCase: 'marketing', body: 'Hi. Reply STOP to opt out.' },
  recipient: { country: 'US' },
  verdicts: [],
};

/** A copy of `value` with the thing at one path replaced (or removed, for undefined). */
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (typeof value !== 'object' || value === null) return value;
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  copy[head] = mutate(copy[head], rest, replacement);
  if (copy[head] === undefined) delete copy[head];
  return copy;
}

const paths = [
  'schema',
  'version',
  'id',
  'tenantId',
  'kind',
  'channel',
  'acceptedAt',
  'message',
  'message.to',
  'message.body',
  'message.useCase',
  'message.brand',
  'recipient',
  'recipient.country',
  'verdicts',
].map((p) => p.split('.'));

describe('envelope validation under fuzzing', () => {
  it('never throws on any JSON value, and accepts only what it can type', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = MessageEnvelopeSchema.safeParse(value);
        if (parsed.success) assert.equal(parsed.data.schema, 'sms.envelope');
        else assert.ok(parsed.error.issues.length > 0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses a valid envelope with any field replaced by a value of the wrong kind, and says where', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 })),
        (path, replacement) => {
          const parsed = MessageEnvelopeSchema.safeParse(mutate(valid, path, replacement));
          if (parsed.success) return; // e.g. an optional field removed
          assert.ok(
            parsed.error.issues.some((i) => i.path.join('.').startsWith(path.join('.')) || i.path.length < path.length),
            JSON.stringify(parsed.error.issues),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('takes any string in a send request without throwing, and keeps only bodies Twilio accepts', () => {
    fc.assert(
      fc.property(fc.record({ to: fc.string(), brand: fc.string(), campaign: fc.string(), body: fc.string({ unit: 'binary', maxLength: 2_000 }), from: fc.string() }), (fields) => {
        const parsed = SendRequestSchema.safeParse({ ...fields, useCase: 'marketing' });
        if (parsed.success) {
          assert.ok(parsed.data.body.length >= 1 && parsed.data.body.length <= 1600);
          assert.ok(!/\p{Cc}/u.test(parsed.data.brand + parsed.data.campaign), 'no control characters in names');
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
