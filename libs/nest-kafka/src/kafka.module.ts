import { Module, type DynamicModule } from '@nestjs/common';
import { createKafkaClient, KafkaPublisher, type KafkaLogSink } from '@sms/kafka';
import type { Kafka } from 'kafkajs';
import { startedWithModule } from './lifecycle.js';
import { PipelineMetrics } from './pipeline-metrics.js';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export interface KafkaModuleOptions {
  brokers: string[];
  /** The service name: client id and consumer group prefix. */
  service: string;
  log: KafkaLogSink;
}

/** Connects the shared publisher at start-up and flushes it at shutdown. */
const PublisherLifecycle = startedWithModule(KafkaPublisher, { start: (publisher) => publisher.connect(), stop: (publisher) => publisher.disconnect() });

@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          useFactory: (): Kafka => createKafkaClient({ brokers: options.brokers, clientId: options.service, log: options.log }),
        },
        { provide: KafkaPublisher, inject: [KAFKA_CLIENT], useFactory: (kafka: Kafka) => new KafkaPublisher(kafka, { observer: PipelineMetrics.shared }) },
        PublisherLifecycle,
      ],
      exports: [KAFKA_CLIENT, KAFKA_OPTIONS, KafkaPublisher],
    };
  }
}
