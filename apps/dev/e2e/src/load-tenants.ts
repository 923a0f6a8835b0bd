// Tenants for a load, as the pipeline bench and the fault tier drive one: clinics with ten short
// codes each (enough sender capacity for thousands of messages a second), recipients with consent
// captured over Kafka, and a few who texted STOP.
import { randomBytes } from 'node:crypto';
import { TOPICS, type ConsentCaptureEvent } from '@sms/contracts';
import { encodeValue } from '@sms/kafka';
import { call, registerTenant, waitFor, type TestStack, type TestTenant } from '@sms/testing';
import type { Producer } from 'kafkajs';

export interface LoadTenant extends TestTenant {
  index: number;
  /** Recipients with express consent for offers (and a relationship for reminders). */
  consented: string[];
  /** Recipients with a relationship only: reminders yes, promotions no. */
  related: string[];
  /** Recipients who consented, then texted STOP. */
  optedOut: string[];
}

const RECIPIENTS_PER_TENANT = 1_500;
export const SENDERS_PER_TENANT = 10;
const OPTED_OUT_PER_TENANT = 20;

/** Sticky sender per recipient, as a messaging service would pick. */
export const senderOf = (t: LoadTenant, to: string): string => t.senders[Number.parseInt(to.slice(-4), 10) % t.senders.length]!;

/** One tenant per brand, registered, with its consents recorded and its opt-outs taken before it resolves. */
export async function setUpTenants(stack: TestStack, producer: Producer, brands: readonly string[], log: (line: string) => void = console.log): Promise<LoadTenant[]> {
  const tenants: LoadTenant[] = [];
  for (const [i, brand] of brands.entries()) {
    const base = 2_000_000 + i * 100_000 + (randomBytes(2).readUInt16BE(0) % 50_000);
    // Short codes: 100 segments/s each (AUP.SERVICE_LIMITS); ten per clinic chain.
    const senders = Array.from({ length: SENDERS_PER_TENANT }, (_, k) => `+1415${String(base + k).padStart(7, '0')}`);
    const registered = await registerTenant(stack, {
      brands: [{ name: brand, helpText: `${brand}: call (415) 555-0100 for help. Reply STOP to opt out.` }],
      campaigns: [
        { id: 'offers', brand, useCase: 'marketing' },
        { id: 'reminders', brand, useCase: 'informational' },
      ],
      senders: senders.map((number) => ({ number, type: 'short_code', brand })),
      messagingServices: [],
      settings: {
        optOutScope: 'brand',
        rateLimitPerSecond: 100_000,
        informationalInQuietHours: 'send',
        // A chain with ten numbers sending its own reviewed templates (docs/snowshoeing.md).
        snowshoe: { 'spread-hour': { distinctSenders: 25 }, 'spread-day': { distinctSenders: 25 }, 'fresh-numbers': 'off' },
      },
    });
    const recipients = Array.from({ length: RECIPIENTS_PER_TENANT }, (_, k) => `+1212${String(2_000_000 + i * 100_000 + k).padStart(7, '0')}`);
    const split = Math.floor(RECIPIENTS_PER_TENANT * 0.7);
    tenants.push({
      index: i,
      tenantId: registered.tenantId,
      apiKey: registered.apiKey,
      messagingServiceSid: registered.messagingServiceSid,
      brand,
      senders,
      optedOut: recipients.slice(0, OPTED_OUT_PER_TENANT),
      consented: recipients.slice(OPTED_OUT_PER_TENANT, split),
      related: recipients.slice(split),
    });
  }
  const captures: ConsentCaptureEvent[] = [];
  const capturedAt = new Date(Date.now() - 3_600_000).toISOString();
  for (const t of tenants) {
    const capture = (to: string, campaign: string, basis: 'express' | 'prior_relationship'): ConsentCaptureEvent => ({
      tenantId: t.tenantId,
      captureId: `bench-${t.tenantId}-${campaign}-${to}`,
      to,
      brand: t.brand,
      campaign,
      basis,
      source: 'web_form',
      capturedAt,
      wording: `Yes, text me from ${t.brand}. Msg & data rates may apply. Reply STOP to opt out.`,
      evidence: { formId: 'bench-signup', ip: '203.0.113.9' },
    });
    for (const to of [...t.optedOut, ...t.consented]) captures.push(capture(to, 'offers', 'express'), capture(to, 'reminders', 'prior_relationship'));
    for (const to of t.related) captures.push(capture(to, 'reminders', 'prior_relationship'));
  }
  for (let i = 0; i < captures.length; i += 2_000) {
    const chunk = captures.slice(i, i + 2_000);
    await producer.send({ topic: TOPICS.consentCaptures.name, acks: -1, messages: chunk.map((c) => ({ key: `${c.tenantId}|${c.to}`, value: encodeValue(c) })) });
  }
  // Consent records every capture of a partition in order: the last ones of each tenant known means all are.
  for (const t of tenants) {
    for (const to of [...t.consented.slice(-3), ...t.related.slice(-3)]) {
      await waitFor(
        `consent of ${to} at ${t.tenantId}`,
        async () => {
          const answer = await call<{ records?: unknown[] }>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(t.brand)}`, { apiKey: t.apiKey });
          return answer.status === 200 && (answer.body.records?.length ?? 0) > 0 ? true : undefined;
        },
        { timeoutMs: 180_000 },
      );
    }
  }
  // Some people text STOP (to the number that texts them), through the simulator and intake's webhook.
  for (const t of tenants) {
    for (const to of t.optedOut) {
      const answer = await call<{ webhookStatus: number }>(`${stack.urls['twilio-simulator']}/sim/inbound`, { body: { from: to, to: senderOf(t, to), body: 'STOP' } });
      if (answer.status !== 200 || answer.body.webhookStatus !== 200) throw new Error(`inbound STOP failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    for (const to of t.optedOut.slice(-2)) {
      await waitFor(`the opt-out of ${to} at ${t.tenantId}`, async () => {
        const answer = await call<{ state?: { optedOut: boolean } }>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(t.brand)}`, { apiKey: t.apiKey });
        return answer.body.state?.optedOut ? true : undefined;
      });
    }
  }
  log(`set up ${tenants.length} tenants, ${tenants.length * SENDERS_PER_TENANT} short codes, ${captures.length} consents`);
  return tenants;
}
