import { Module, type DynamicModule } from '@nestjs/common';
import { KAFKA_CLIENT, KAFKA_OPTIONS, startedWithModule, type KafkaModuleOptions } from '@sms/nest-kafka';
import type { Kafka } from 'kafkajs';
import { ApiKeyGuard } from './api-key.guard.js';
import { TenantDirectory } from './tenant-directory.js';

/** Start-up waits until every tenant on the topic has been read (a small topic). */
const TenantDirectoryLifecycle = startedWithModule(TenantDirectory, { start: (directory) => directory.start(), stop: (directory) => directory.stop() });

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
