import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { twilioErrorMeansOptOut, twilioErrorTable, TwilioErrorsSchema } from './twilio-errors.js';

describe("Twilio's error table", () => {
  it('loads, validated, with a version and every source it names', () => {
    const table = twilioErrorTable();
    assert.match(table.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);
    assert.equal(TwilioErrorsSchema.safeParse({ ...table, retryCodes: { ...table.retryCodes, source: 'nowhere' } }).success, false, 'a source it does not list');
  });

  it('says 21610, and only 21610, means the person opted out: consent records its refusals as twilio_error_21610', () => {
    const optOuts = Object.entries(twilioErrorTable().codes).filter(([, meaning]) => meaning.optOut === true);
    assert.deepEqual(
      optOuts.map(([code]) => code),
      ['21610'],
    );
    assert.equal(twilioErrorMeansOptOut(21610), true);
    for (const code of [21211, 30007, undefined, null]) assert.equal(twilioErrorMeansOptOut(code), false, String(code));
  });
});
