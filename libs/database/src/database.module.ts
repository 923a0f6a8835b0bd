import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
          useFactory: async (): Promise<DataSource> => {
            const dataSource = create();
            await dataSource.initialize();
            return dataSource;
          },
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
