import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyInbound } from './inbound-keywords.js';

describe('classifyInbound', () => {
  for (const body of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'unsubscribe', 'Cancel!', 'end', 'QUIT', 'revoke', 'OptOut', 'opt out', 'opt-out']) {
    it(`takes "${body}" as an opt-out`, () => {
      assert.equal(classifyInbound(body).kind, 'opt_out');
    });
  }
  for (const body of ['START', 'yes', 'Unstop']) {
    it(`takes "${body}" as an opt-in`, () => {
      assert.equal(classifyInbound(body).kind, 'opt_in');
    });
  }
  it('answers HELP and INFO', () => {
    assert.equal(classifyInbound('help').kind, 'help');
    assert.equal(classifyInbound('INFO?').kind, 'help');
  });
  it('does not take words that merely contain a keyword as one', () => {
    for (const body of ['Stop by at 3?', 'stopping', 'Can I come at the end of the day?', 'yes please, 3pm works']) {
      assert.equal(classifyInbound(body).kind, 'message', body);
    }
  });
});
