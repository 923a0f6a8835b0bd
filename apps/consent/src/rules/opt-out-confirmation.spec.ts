import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aTenant } from '@sms/testing';
import { twilioAnswersKeyword, twilioConfirmsOptOut } from './opt-out-confirmation.js';

const IN_SERVICE = '+14155550101';
const LONE = '+14155550102';
const MG = 'MG0123456789abcdef0123456789abcdef';

const tenant = (optOutConfirmation: 'twilio' | 'gateway') =>
  aTenant({
    senders: [
      { number: IN_SERVICE, type: 'long_code', brand: 'Acme Dental', messagingServiceSid: MG },
      { number: LONE, type: 'long_code', brand: 'Acme Dental' },
    ],
    settings: { optOutConfirmation },
  });

describe('who confirms an opt-out (MP.OPTOUT.HONOR: exactly one confirmation)', () => {
  it("leaves a keyword to a service's number to Twilio only when the tenant says Twilio answers", () => {
    assert.equal(twilioConfirmsOptOut({ to: IN_SERVICE, body: 'STOP', optOutType: 'STOP' }, tenant('twilio')), true);
    assert.equal(twilioConfirmsOptOut({ to: IN_SERVICE, body: 'STOP', optOutType: 'STOP' }, tenant('gateway')), false);
    assert.equal(twilioConfirmsOptOut({ to: IN_SERVICE, body: 'Arrêt', optOutType: 'STOP' }, tenant('twilio')), true, "a custom keyword Twilio's Advanced Opt-Out read");
  });

  it('knows that Twilio always answers its standard single words to a number in no Messaging Service', () => {
    for (const word of ['stop', ' QUIT ', 'Unsubscribe', 'optout']) assert.equal(twilioConfirmsOptOut({ to: LONE, body: word }, tenant('gateway')), true, word);
  });

  it('confirms itself what Twilio does not read as an opt-out keyword', () => {
    assert.equal(twilioConfirmsOptOut({ to: LONE, body: 'Stop.' }, tenant('twilio')), false);
    assert.equal(twilioConfirmsOptOut({ to: IN_SERVICE, body: 'please stop texting me' }, tenant('twilio')), false);
    assert.equal(twilioConfirmsOptOut({ to: IN_SERVICE, body: 'START', optOutType: 'START' }, tenant('twilio')), false);
  });

  it("leaves START and HELP to Twilio only where the tenant's Advanced Opt-Out answers them, so that the person gets one branded reply", () => {
    assert.equal(twilioAnswersKeyword({ to: LONE, body: 'start' }, tenant('twilio'), 'opt_in'), false, "Twilio's default reply names no brand");
    assert.equal(twilioAnswersKeyword({ to: LONE, body: 'HELP' }, tenant('twilio'), 'help'), false);
    assert.equal(twilioAnswersKeyword({ to: IN_SERVICE, body: 'START', optOutType: 'START' }, tenant('twilio'), 'opt_in'), true);
    assert.equal(twilioAnswersKeyword({ to: IN_SERVICE, body: 'START', optOutType: 'START' }, tenant('gateway'), 'opt_in'), false);
    assert.equal(twilioAnswersKeyword({ to: IN_SERVICE, body: 'HELP', optOutType: 'HELP' }, tenant('gateway'), 'help'), false);
    assert.equal(twilioAnswersKeyword({ to: LONE, body: 'can you help me reschedule?' }, tenant('twilio'), 'help'), false);
  });
});
