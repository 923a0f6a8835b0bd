import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { backoffDelay, sleep } from '@sms/util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ListenedClient } from './data-source.js';

const CONNECT_RETRIES = { attempts: 8, backoff: { initialMs: 500, maxMs: 8_000, multiplier: 2 } };

/**
 * Initialises a data source, trying again with backoff while the database does not answer in
 * time (a busy or restarting server at start-up): a service waits for its database, up to about
 * a minute, rather than exiting at its first slow connection. Each try gets a fresh data source,
 * the failed one's pool closed.
 */
export async function initializeWithRetry(create: () => DataSource, logger: Pick<Logger, 'warn'> = new Logger('DatabaseModule'), retries = CONNECT_RETRIES): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    const dataSource = create();
    try {
      return await dataSource.initialize();
    } catch (error) {
      await (dataSource.isInitialized ? dataSource.destroy() : dataSource.driver.disconnect()).catch(() => undefined);
      if (attempt >= retries.attempts) throw error;
      const delay = backoffDelay(attempt, retries.backoff);
      logger.warn({ message: 'the database did not answer; trying again', attempt, retryInMs: delay, error: (error as Error).message });
      await sleep(delay);
    }
  }
}

class DataSourceLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Runs after consumers stopped and producers flushed (Nest's shutdown order). */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Provides the service's initialised DataSource; migrations are not run here. */
@Module({})
export class DatabaseModule {
  static forRoot(create: () => DataSource): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          useFactory: (): Promise<DataSource> => initializeWithRetry(create),
        },
        DataSourceLifecycle,
      ],
      exports: [DataSource],
    };
  }
}

/**
 * Health check: the database answers, on a connection of the check's own. A check that took a
 * connection of the service's pool would wait behind the service's work: under a backlog every
 * connection is busy, and a restarted instance answered its probe after a minute or more (the
 * fault tier), so an orchestrator would take a working instance out of service, or restart it.
 * The check's one connection opens on the first check and closes after a minute unused; a
 * database that does not answer within `timeoutMs` (connecting or querying) fails the check.
 */
export function databaseHealth(dataSource: DataSource, timeoutMs = 2_000): { name: string; check(): Promise<boolean> } {
  let pool: pg.Pool | undefined;
  return {
    name: 'database',
    check: async () => {
      const options = dataSource.options as { url?: string; applicationName?: string };
      pool ??= new pg.Pool({
        connectionString: options.url,
        application_name: `${options.applicationName ?? 'service'} health`,
        max: 1,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        idleTimeoutMillis: 60_000,
        allowExitOnIdle: true,
        Client: ListenedClient,
      }).on('error', () => undefined); // an idle connection the server ended: the client logged it, the pool drops it
      await pool.query('SELECT 1');
      return true;
    },
  };
}
