import type { TenantConfigEventSchema } from '@sms/contracts';
import type { z } from 'zod';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { waitFor } from './wait.js';

/** What tools/run-tests.mjs started for the integration and end-to-end tiers. */
export interface TestStack {
  kafkaBrokers: string[];
  databaseUrl: string;
  redisUrl: string;
  piiHashKey: string;
  adminApiKey: string;
  twilio: { accountSid: string; authToken: string };
  urls: Record<'intake' | 'consent' | 'content-screening' | 'snowshoeing-detector' | 'dispatcher' | 'audit' | 'twilio-simulator', string>;
  otlpReceiverUrl: string;
  zipkinUrl: string;
  logDir: string;
}

export function testStack(): TestStack {
  const file = process.env['TEST_STACK_FILE'];
  if (!file) throw new Error('TEST_STACK_FILE is not set: run the integration and end-to-end tiers through tools/run-tests.mjs (npm test)');
  return JSON.parse(readFileSync(file, 'utf8')) as TestStack;
}

export interface TestTenant {
  tenantId: string;
  apiKey: string;
  brand: string;
  senders: string[];
  messagingServiceSid: string;
}

/** A fresh tenant for one test, registered through intake's admin API. */
export async function registerTenant(stack: TestStack, overrides: Partial<z.input<typeof TenantConfigEventSchema>> = {}, options: { brand?: string } = {}): Promise<TestTenant> {
  const tenantId = `t-${randomUUID().slice(0, 8)}`;
  const apiKey = `sk_test_${randomBytes(24).toString('hex')}`;
  const messagingServiceSid = `MG${randomBytes(16).toString('hex')}`;
  // Distinct sender numbers per tenant, so that inbound messages find their tenant.
  const base = 2_000_000 + (randomBytes(3).readUIntBE(0, 3) % 7_000_000);
  const senders = [0, 1].map((n) => `+1415${String(base + n).padStart(7, '0')}`);
  const brand = options.brand ?? 'Acme Dental';
  const body = {
    name: `Test tenant ${tenantId}`,
    brands: [{ name: brand, helpText: `${brand}: call (415) 555-0100 for help. Reply STOP to opt out.` }],
    campaigns: [
      { id: 'offers', brand, useCase: 'marketing' },
      { id: 'reminders', brand, useCase: 'informational' },
      { id: 'conversations', brand, useCase: 'conversational' },
    ],
    senders: senders.map((number) => ({ number, type: 'long_code', brand, messagingServiceSid })),
    messagingServices: [{ sid: messagingServiceSid, name: 'test pool' }],
    settings: { optOutScope: 'brand' },
    ...overrides,
    apiKey,
  };
  const response = await fetch(`${stack.urls.intake}/admin/v1/tenants/${tenantId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${stack.adminApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`registering tenant failed: ${response.status} ${await response.text()}`);
  // Every service learns tenants from the tenant topic: wait until the ones with an API know this one.
  for (const url of [`${stack.urls.consent}/v1/opt-out-reviews`, `${stack.urls.audit}/v1/reviews`, `${stack.urls.intake}/v1/messages`]) {
    await waitFor(`${url} to know tenant ${tenantId}`, async () => {
      const answer = await fetch(url, {
        method: url.endsWith('/v1/messages') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        ...(url.endsWith('/v1/messages') ? { body: '{}' } : {}),
      });
      return answer.status !== 401 && answer.status !== 503 ? true : undefined;
    });
  }
  return { tenantId, apiKey, brand, senders, messagingServiceSid };
}

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON call to one of the services. */
export async function call<T = Record<string, unknown>>(url: string, init: { method?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.apiKey ? { authorization: `Bearer ${init.apiKey}` } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : {};
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

/** A recipient number no other test uses. */
export function aRecipient(): string {
  return `+1212${String(2_000_000 + (randomBytes(3).readUIntBE(0, 3) % 7_000_000)).padStart(7, '0')}`;
}
