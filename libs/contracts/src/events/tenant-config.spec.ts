import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messagingServiceNumbers, type TenantConfigEvent } from './tenant-config.event.js';

describe('messagingServiceNumbers', () => {
  const tenant = {
    senders: [
      { number: '+14155550101', type: 'long_code', messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' },
      { number: '+14155550102', type: 'long_code' },
    ],
  } as TenantConfigEvent;
  it("lists the service's numbers, and none for a direct sender or an unknown tenant", () => {
    assert.deepEqual(messagingServiceNumbers(tenant, 'MG0123456789abcdef0123456789abcdef'), ['+14155550101']);
    assert.deepEqual(messagingServiceNumbers(tenant, undefined), []);
    assert.deepEqual(messagingServiceNumbers(undefined, 'MG0123456789abcdef0123456789abcdef'), []);
  });
});
