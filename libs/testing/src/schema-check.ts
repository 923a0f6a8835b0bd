import assert from 'node:assert/strict';
import { pendingSchemaChanges } from '@sms/database';
import type { DataSource } from 'typeorm';
import { testStack } from './stack.js';

/**
 * Fails when a service's entities need SQL its migrations did not write (an entity changed
 * without a migration), or when a migration was not run.
 */
export async function assertSchemaInStep(create: (url: string) => DataSource): Promise<void> {
  const dataSource = create(testStack().databaseUrl);
  await dataSource.initialize();
  try {
    assert.equal(await dataSource.showMigrations(), false, 'every migration has run');
    assert.deepEqual(await pendingSchemaChanges(dataSource), [], 'the entities match what the migrations created');
  } finally {
    await dataSource.destroy();
  }
}
