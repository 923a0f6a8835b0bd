// The demo tenant that local mode seeds, written to <profile dir>/../demo.json for tools and
// people to read (the local profile writes .local/demo.json).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminKey, ROOT, serviceUrl } from './profiles.mjs';

const MESSAGING_SERVICE_SID = 'MG4b1d3e5f7a9c0b2d4f6a8c0e2b4d6f8a';
const SENDERS = ['+14155550101', '+14155550102', '+14155550103', '+14155550104', '+14155550105'];
const BRAND = 'Brightside Dental';

export const DEMO_TENANT = {
  tenantId: 'brightside-dental',
  name: 'Brightside Dental Group',
  brands: [{ name: BRAND, helpText: 'Brightside Dental: for help call (415) 555-0100 or visit our office. Reply STOP to opt out.' }],
  campaigns: [
    { id: 'spring-whitening', brand: BRAND, useCase: 'marketing', description: 'Seasonal offers to patients who opted in' },
    { id: 'appointment-reminders', brand: BRAND, useCase: 'informational', description: 'Reminders of booked appointments' },
    { id: 'patient-conversations', brand: BRAND, useCase: 'conversational', description: 'Replies to patients who wrote to us' },
  ],
  senders: SENDERS.map((number) => ({ number, type: '10dlc', brand: BRAND, messagingServiceSid: MESSAGING_SERVICE_SID })),
  messagingServices: [{ sid: MESSAGING_SERVICE_SID, name: 'Brightside patient messaging' }],
  settings: { optOutScope: 'brand' },
};

export function demoFile(profile) {
  return profile.name === 'local' ? join(ROOT, '.local', 'demo.json') : join(profile.dir, 'demo.json');
}

/** Registers the demo tenant through intake's admin API and its sender pool at the simulator. */
export async function seedDemo(profile) {
  const file = demoFile(profile);
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const apiKey = typeof previous.apiKey === 'string' ? previous.apiKey : `sk_demo_${randomBytes(24).toString('base64url')}`;
  const { tenantId, ...registration } = DEMO_TENANT;
  const response = await fetch(`${serviceUrl(profile, 'intake')}/admin/v1/tenants/${tenantId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey(profile)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...registration, apiKey }),
  });
  if (!response.ok) throw new Error(`registering the demo tenant failed: ${response.status} ${await response.text()}`);
  const pool = await fetch(`${serviceUrl(profile, 'twilio-simulator')}/sim/messaging-services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sid: MESSAGING_SERVICE_SID, numbers: SENDERS }),
  });
  if (!pool.ok) throw new Error(`registering the demo sender pool at the simulator failed: ${pool.status} ${await pool.text()}`);
  const demo = {
    tenantId,
    apiKey,
    brand: BRAND,
    campaigns: { marketing: 'spring-whitening', reminders: 'appointment-reminders', conversations: 'patient-conversations' },
    messagingServiceSid: MESSAGING_SERVICE_SID,
    senders: SENDERS,
    urls: {
      intake: serviceUrl(profile, 'intake'),
      consent: serviceUrl(profile, 'consent'),
      audit: serviceUrl(profile, 'audit'),
      simulator: serviceUrl(profile, 'twilio-simulator'),
    },
    adminApiKey: adminKey(profile),
  };
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`);
  return { demo, file };
}
