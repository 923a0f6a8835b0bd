import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { KAFKA_CLIENT, KAFKA_OPTIONS, type KafkaModuleOptions } from '@sms/nest-kafka';
import type { Kafka } from 'kafkajs';
import { ApiKeyGuard } from './api-key.guard.js';
import { TenantDirectory } from './tenant-directory.js';

class TenantDirectoryLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(TenantDirectory) private readonly directory: TenantDirectory) {}

  /** Start-up waits until every tenant on the topic has been read (a small topic). */
  async onModuleInit(): Promise<void> {
    await this.directory.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.directory.stop();
  }
}

@Module({})
export class TenancyModule {
  static forRoot(): DynamicModule {
    return {
      module: TenancyModule,
      global: true,
      providers: [
        {
          provide: TenantDirectory,
          inject: [KAFKA_CLIENT, KAFKA_OPTIONS],
          useFactory: (kafka: Kafka, options: KafkaModuleOptions) => new TenantDirectory(kafka, options.service, options.log),
        },
        TenantDirectoryLifecycle,
        ApiKeyGuard,
      ],
      exports: [TenantDirectory, ApiKeyGuard],
    };
  }
}
