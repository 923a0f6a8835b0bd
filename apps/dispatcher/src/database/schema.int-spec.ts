import { describe, it } from 'node:test';
import { assertSchemaInStep } from '@sms/testing';
import { dispatcherDataSource } from './data-source.js';

describe('dispatcher schema', () => {
  it('is exactly what the migrations create', async () => {
    await assertSchemaInStep(dispatcherDataSource);
  });
});
