import { describe, it } from 'node:test';
import { assertSchemaInStep } from '@sms/testing';
import { intakeDataSource } from './data-source.js';

describe('intake schema', () => {
  it('is exactly what the migrations create', async () => {
    await assertSchemaInStep(intakeDataSource);
  });
});
