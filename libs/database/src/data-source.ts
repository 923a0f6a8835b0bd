import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

const logger = new Logger('Database');

/**
 * A pg client that always has a listener for its 'error' event. pg reports a connection the
 * server dropped (a restart: "terminating connection due to administrator command") as an
 * 'error' event on the client, and an event no one listens to ends the process. The pool
 * listens only while a client is idle, and TypeORM's query runner only until its first error;
 * the fault tier's PostgreSQL restart under a backlog took a dispatcher down that way. The
 * query in flight still fails on its own, and the pool drops the broken client.
 */
export class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (error: Error) => logger.warn({ message: 'a database connection failed; the pool replaces it', error: error.message }));
  }
}

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName: string;
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    applicationName: options.applicationName,
    extra: { max: options.poolSize ?? 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, Client: ListenedClient },
  });
}

/** Creates the database named in the URL when it does not exist (local and test set-ups). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-zA-Z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and underscores`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Runs the service's pending migrations inside its schema; returns their names. */
export async function migrate(dataSource: DataSource, schema: string): Promise<string[]> {
  const connection = dataSource.isInitialized ? dataSource : await dataSource.initialize();
  await connection.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const ran = await connection.runMigrations({ transaction: 'each' });
  return ran.map((m) => m.name);
}

/** SQL that the entities need but the migrations did not create: empty when in step. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}
