import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import twilio from 'twilio';
import type { IntakeConfig } from '../config.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';

const AUTH_TOKEN = 'a'.repeat(32);
const PUBLIC_URL = 'https://gateway.example.org/';
const PATH = '/webhooks/twilio/status?m=8d3c1c2e-5b7a-4f7e-9a39-2f4f3b0f9d11&t=acme';
const PARAMS = { MessageSid: 'SM0123', AccountSid: 'AC0123', MessageStatus: 'delivered' };

const guard = new TwilioSignatureGuard({ INTAKE_PUBLIC_URL: PUBLIC_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN } as IntakeConfig);

/** Signed the way Twilio signs, by the official SDK: over the public URL it called and the posted fields. */
const signed = (token = AUTH_TOKEN, url = `https://gateway.example.org${PATH}`, params: Record<string, string> = PARAMS) => twilio.getExpectedTwilioSignature(token, url, params);

function webhook(headers: Record<string, string>, body: Record<string, string> = PARAMS, contentType = 'application/x-www-form-urlencoded'): ExecutionContext {
  const request = {
    originalUrl: PATH,
    body,
    header: (name: string) => headers[name.toLowerCase()],
    is: (type: string) => (contentType.split(';')[0] === type ? type : false),
  };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

function refusal(context: ExecutionContext): { status: number; type: string } {
  try {
    guard.canActivate(context);
  } catch (error) {
    assert.ok(error instanceof ProblemException);
    const body = error.getResponse() as { type: string };
    return { status: error.getStatus(), type: body.type.replace('urn:sms-gateway:problem:', '') };
  }
  assert.fail('the webhook was let through');
}

describe('TwilioSignatureGuard', () => {
  it("lets through a webhook signed with the account's token over the public URL (a trailing slash in the setting changes nothing)", () => {
    assert.equal(guard.canActivate(webhook({ 'x-twilio-signature': signed() })), true);
  });

  it('refuses a webhook without a signature', () => {
    assert.deepEqual(refusal(webhook({})), { status: 403, type: 'unsigned-webhook' });
  });

  it('refuses a signature made with another token, over another URL, or over other fields', () => {
    assert.deepEqual(refusal(webhook({ 'x-twilio-signature': signed('b'.repeat(32)) })), { status: 403, type: 'bad-signature' });
    assert.deepEqual(refusal(webhook({ 'x-twilio-signature': signed(AUTH_TOKEN, `http://127.0.0.1:3000${PATH}`) })), { status: 403, type: 'bad-signature' });
    const tampered = { ...PARAMS, MessageStatus: 'failed' };
    assert.deepEqual(refusal(webhook({ 'x-twilio-signature': signed() }, tampered)), { status: 403, type: 'bad-signature' });
  });

  it('refuses a body that is not a form, as Twilio never posts one', () => {
    assert.deepEqual(refusal(webhook({ 'x-twilio-signature': signed() }, PARAMS, 'application/json')), { status: 415, type: 'unsupported-media-type' });
  });
});
