import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision, MessageStatus, Stage, Verdict } from '@sms/contracts';
import { anEnvelope } from '@sms/testing';
import { currentStatus, firstToldOn, handedToTwilio, historyFromEnvelope, historyFromStatus, type EnvelopeTopic, type HistoryEvent } from './history.js';

const status = (s: MessageStatus, at: string, stage = 'dispatcher') => ({ kind: 'status' as const, status: s, stage, decision: null, facts: {}, occurredAt: at });
const decision = (d: string, at: string, stage = 'consent', facts: Record<string, unknown> = {}) => ({ kind: 'decision' as const, status: null, stage, decision: d, facts, occurredAt: at });

describe('currentStatus', () => {
  it('is accepted before anything else happened', () => {
    assert.equal(currentStatus([status('accepted', '2026-11-27T10:00:00Z')]), 'accepted');
  });

  it('follows the pipeline forward', () => {
    const events = [
      status('accepted', '2026-11-27T10:00:00Z'),
      decision('pass', '2026-11-27T10:00:01Z'),
      status('sending', '2026-11-27T10:00:02Z'),
      status('sent', '2026-11-27T10:00:03Z'),
      status('delivered', '2026-11-27T10:00:04Z'),
    ];
    assert.equal(currentStatus(events), 'delivered');
  });

  it('never moves backwards on a late or out-of-order event', () => {
    const events = [status('delivered', '2026-11-27T10:00:04Z'), status('sent', '2026-11-27T10:00:09Z'), status('sending', '2026-11-27T10:00:10Z')];
    assert.equal(currentStatus(events), 'delivered');
  });

  it('is blocked or held when a stage stopped the message', () => {
    assert.equal(currentStatus([status('accepted', '2026-11-27T10:00:00Z'), decision('block', '2026-11-27T10:00:01Z')]), 'blocked');
    assert.equal(currentStatus([status('accepted', '2026-11-27T10:00:00Z'), decision('pass', '2026-11-27T10:00:01Z'), decision('hold', '2026-11-27T10:00:02Z')]), 'held');
  });

  it('is what Twilio made of a message once it had it, whatever a stage before the dispatcher said after', () => {
    const sent = [status('accepted', '2026-11-27T10:00:00Z'), decision('pass', '2026-11-27T10:00:01Z', 'snowshoeing-detector'), status('sending', '2026-11-27T10:00:02Z')];
    // A redelivery decided anew, later, or recorded first: a contradicting second decision.
    assert.equal(currentStatus([...sent, decision('block', '2026-11-27T10:00:05Z', 'snowshoeing-detector')]), 'sending');
    assert.equal(currentStatus([...sent, decision('hold', '2026-11-27T10:00:05Z', 'content-screening'), status('delivered', '2026-11-27T10:00:04Z', 'twilio')]), 'delivered');
    // A reviewer rejecting such a hold stops nothing either.
    assert.equal(currentStatus([...sent, status('sent', '2026-11-27T10:00:03Z', 'twilio'), decision('block', '2026-11-27T10:00:09Z', 'review', { heldBy: 'snowshoeing-detector' })]), 'sent');
  });

  it("keeps the dispatcher's own stops after a hand-over: Twilio failed the message in its queue and it went back to the ledger", () => {
    const requeued = [status('sending', '2026-11-27T10:00:02Z'), status('failed', '2026-11-27T10:00:03Z', 'twilio'), status('scheduled', '2026-11-27T10:00:04Z')];
    assert.equal(currentStatus([...requeued, decision('block', '2026-11-27T10:00:05Z', 'dispatcher')]), 'blocked');
    assert.equal(currentStatus([...requeued, decision('hold', '2026-11-27T10:00:05Z', 'dispatcher'), decision('block', '2026-11-27T10:00:09Z', 'review', { heldBy: 'dispatcher' })]), 'blocked');
  });
});

describe('handedToTwilio', () => {
  it("is the dispatcher's word that Twilio took the message, or Twilio's own", () => {
    assert.equal(handedToTwilio(status('sending', '2026-11-27T10:00:02Z')), true);
    assert.equal(handedToTwilio(status('failed', '2026-11-27T10:00:02Z', 'twilio')), true);
    assert.equal(handedToTwilio(status('failed', '2026-11-27T10:00:02Z')), false, 'refused at the call, or out of attempts');
    assert.equal(handedToTwilio(status('scheduled', '2026-11-27T10:00:02Z')), false);
    assert.equal(handedToTwilio(decision('pass', '2026-11-27T10:00:02Z', 'dispatcher')), false);
  });
});

const verdict = (stage: Stage, d: Decision, at: string): Verdict => ({ stage, decision: d, clauses: ['MP.CONSENT.PRIOR'], reason: `${stage}: ${d}`, facts: {}, at });
const keys = (events: HistoryEvent[]) => events.map((e) => e.eventKey);

describe('historyFromEnvelope / historyFromStatus', () => {
  it('tells the acceptance and every verdict an envelope carries, each under its own key', () => {
    const judged = anEnvelope({
      verdicts: [
        { stage: 'consent', decision: 'pass', clauses: ['MP.CONSENT.PRIOR'], reason: 'ok', facts: {}, at: '2026-11-27T10:00:01Z' },
        { stage: 'content-screening', decision: 'block', clauses: ['MP.CONTENT.CANNABIS'], reason: 'cannabis', facts: {}, at: '2026-11-27T10:00:02Z' },
      ],
    });
    const history = historyFromEnvelope(judged);
    assert.deepEqual(keys(history), ['status:accepted', 'decision:consent:0', 'decision:content-screening:1']);
    assert.deepEqual([history[0]!.status, history[0]!.occurredAt], ['accepted', judged.acceptedAt]);
    assert.deepEqual([history[2]!.decision, history[2]!.clauses, history[2]!.occurredAt], ['block', ['MP.CONTENT.CANNABIS'], '2026-11-27T10:00:02Z']);
    assert.deepEqual(keys(historyFromEnvelope(anEnvelope())), ['status:accepted']);
  });

  it('keys status events by status so a repeated callback is recorded once', () => {
    const event = historyFromStatus({
      messageId: anEnvelope().id,
      tenantId: 'acme-dental',
      status: 'delivered',
      source: 'twilio-callback',
      twilioSid: 'SM0123456789abcdef0123456789abcdef',
      at: '2026-11-27T10:00:04Z',
    });
    assert.equal(event.eventKey, 'status:delivered');
    assert.equal(event.stage, 'twilio');
  });
});

describe('firstToldOn: each entry reaches the analysts from one record only', () => {
  const told = (topic: EnvelopeTopic, verdicts: Verdict[]) => {
    const envelope = anEnvelope({ verdicts });
    return keys(firstToldOn(topic, envelope, historyFromEnvelope(envelope)));
  };
  const [consent, screening, snowshoe] = [verdict('consent', 'pass', 't1'), verdict('content-screening', 'pass', 't2'), verdict('snowshoeing-detector', 'pass', 't3')];

  it('tells the acceptance on sms.accepted.v1, and nothing a released envelope carries back there', () => {
    assert.deepEqual(told('accepted', []), ['status:accepted']);
    assert.deepEqual(told('accepted', [verdict('consent', 'hold', 't1'), verdict('review', 'pass', 't2')]), ['status:accepted']);
  });

  it('tells every stage verdict on the final envelope of a message that went straight through, or was stopped on its way', () => {
    assert.deepEqual(told('cleared', [consent, screening, snowshoe]), ['decision:consent:0', 'decision:content-screening:1', 'decision:snowshoeing-detector:2']);
    assert.deepEqual(told('stopped', [consent, verdict('content-screening', 'hold', 't2')]), ['decision:consent:0', 'decision:content-screening:1']);
  });

  it('after a hold, tells only what came since: the review and the stages after it', () => {
    const held = verdict('content-screening', 'hold', 't2');
    const released = verdict('review', 'pass', 't3');
    assert.deepEqual(told('cleared', [consent, held, released, verdict('snowshoeing-detector', 'pass', 't4')]), ['decision:review:2', 'decision:snowshoeing-detector:3']);
    assert.deepEqual(told('stopped', [consent, held, verdict('review', 'block', 't3')]), ['decision:review:2']);
    // A consent hold goes back through consent, which may hold it again.
    assert.deepEqual(told('stopped', [verdict('consent', 'hold', 't1'), released, verdict('consent', 'hold', 't4')]), ['decision:review:1', 'decision:consent:2']);
  });

  it("tells only the dispatcher's verdict on a message it stopped after it was cleared", () => {
    assert.deepEqual(told('stopped', [consent, screening, snowshoe, verdict('dispatcher', 'block', 't4')]), ['decision:dispatcher:3']);
  });
});
