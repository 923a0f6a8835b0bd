import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recipientLocale, recipientLocaleDataVersion } from './recipient-locale.js';

describe('recipientLocale', () => {
  it('places a NANP number in the state and time zone of its area code', () => {
    assert.deepEqual(recipientLocale('+12125550123'), { country: 'US', region: 'NY', timeZone: 'America/New_York', timeZones: ['America/New_York'] });
    assert.deepEqual(recipientLocale('+13055550123'), { country: 'US', region: 'FL', timeZone: 'America/New_York', timeZones: ['America/New_York'] });
    assert.equal(recipientLocale('+18085550123').timeZone, 'Pacific/Honolulu');
  });

  it("finds the state of an area code whose own geocode is missing from its exchanges' geocodes", () => {
    assert.equal(recipientLocale('+17135550123').region, 'TX');
    assert.equal(recipientLocale('+13105550123').region, 'CA');
  });

  it('gives every zone of an area code that spans two, and no single time zone', () => {
    const southDakota = recipientLocale('+16055550123');
    assert.equal(southDakota.region, 'SD');
    assert.equal(southDakota.timeZone, undefined);
    assert.deepEqual(southDakota.timeZones, ['America/Denver', 'America/North_Dakota/Center']);
  });

  it('places Canadian numbers in their province, and leaves out a province an area code shares', () => {
    assert.deepEqual(recipientLocale('+14165550123'), { country: 'CA', region: 'ON', timeZone: 'America/Toronto', timeZones: ['America/Toronto'] });
    const maritimes = recipientLocale('+19025550123');
    assert.equal(maritimes.region, undefined, '902 serves Nova Scotia and Prince Edward Island');
    assert.equal(maritimes.timeZone, 'America/Halifax');
  });

  it('gives other NANP countries their own country and zone, without a region', () => {
    assert.deepEqual(recipientLocale('+17875550123'), { country: 'PR', timeZone: 'America/Puerto_Rico', timeZones: ['America/Puerto_Rico'] });
  });

  it('uses the longest prefix elsewhere', () => {
    assert.deepEqual(recipientLocale('+442071234567'), { country: 'GB', timeZone: 'Europe/London', timeZones: ['Europe/London'] });
    assert.equal(recipientLocale('+33612345678').timeZone, 'Europe/Paris');
  });

  it('knows nothing of a non-geographic number', () => {
    assert.deepEqual(recipientLocale('+80012345678'), { country: 'ZZ', timeZones: [] });
  });

  it('names the data it answers from', () => {
    assert.match(recipientLocaleDataVersion(), /libphonenumber/);
  });
});
