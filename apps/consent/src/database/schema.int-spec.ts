import { describe, it } from 'node:test';
import { assertSchemaInStep } from '@sms/testing';
import { consentDataSource } from './data-source.js';

describe('consent schema', () => {
  it('is exactly what the migrations create', async () => {
    await assertSchemaInStep(consentDataSource);
  });
});
