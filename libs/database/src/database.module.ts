import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { backoffDelay, sleep } from '@sms/util';
import { DataSource } from 'typeorm';

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

/** Health check: the database answers. */
export function databaseHealth(dataSource: DataSource): { name: string; check(): Promise<boolean> } {
  return {
    name: 'database',
    check: async () => {
      await dataSource.query('SELECT 1');
      return true;
    },
  };
}
