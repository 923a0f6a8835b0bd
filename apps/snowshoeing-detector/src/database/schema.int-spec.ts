import { describe, it } from 'node:test';
import { assertSchemaInStep } from '@sms/testing';
import { snowshoeDataSource } from './data-source.js';

describe('snowshoe schema', () => {
  it('is exactly what the migrations create', async () => {
    await assertSchemaInStep(snowshoeDataSource);
  });
});
