import type { DataSource } from 'typeorm';
import { ensureDatabase, migrate } from './data-source.js';

/**
 * The body of each service's `migrate.js`: creates the database and the service's schema
 * when missing, then runs its pending migrations. Exits non-zero with the error on failure.
 */
export async function runMigrationsCli(service: string, schema: string, url: string | undefined, create: (url: string) => DataSource): Promise<void> {
  const databaseUrl = url ?? 'postgres://postgres@127.0.0.1:5432/sms_gateway';
  try {
    await ensureDatabase(databaseUrl);
    const dataSource = create(databaseUrl);
    const ran = await migrate(dataSource, schema);
    await dataSource.destroy();
    console.log(JSON.stringify({ service, schema, migrationsRun: ran }));
  } catch (error) {
    console.error(`${service}: migrations failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
