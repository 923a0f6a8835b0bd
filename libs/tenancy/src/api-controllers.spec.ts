import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { AdminKeyGuard } from './admin-key.guard.js';
import { AdminApi, TenantApi } from './api-controllers.js';
import { ApiKeyGuard } from './api-key.guard.js';

describe('TenantApi and AdminApi', () => {
  it('make a controller at the path, guarded by the tenant key or by the admin key', () => {
    @TenantApi('v1/things')
    class Things {}
    @AdminApi('admin/v1/things')
    class AdminThings {}
    assert.equal(Reflect.getMetadata(PATH_METADATA, Things), 'v1/things');
    assert.deepEqual(Reflect.getMetadata(GUARDS_METADATA, Things), [ApiKeyGuard]);
    assert.equal(Reflect.getMetadata(PATH_METADATA, AdminThings), 'admin/v1/things');
    assert.deepEqual(Reflect.getMetadata(GUARDS_METADATA, AdminThings), [AdminKeyGuard]);
  });
});
