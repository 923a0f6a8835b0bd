import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { fixIdleRequestQueuePolling } from './request-queue-fix.js';

export interface KafkaLogSink {
  error(message: string, context: Record<string, unknown>): void;
  warn(message: string, context: Record<string, unknown>): void;
  info(message: string, context: Record<string, unknown>): void;
}

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  log?: KafkaLogSink;
}

const consoleSink: KafkaLogSink = {
  error: (message, context) => console.error(JSON.stringify({ level: 'error', message, ...context })),
  warn: (message, context) => console.warn(JSON.stringify({ level: 'warn', message, ...context })),
  info: (message, context) => console.log(JSON.stringify({ level: 'info', message, ...context })),
};

function creatorFor(sink: KafkaLogSink): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const context = { source: 'kafkajs', namespace, ...rest };
      if (level === logLevel.ERROR) sink.error(message, context);
      else if (level === logLevel.WARN) sink.warn(message, context);
      else sink.info(message, context);
    };
}

export function createKafkaClient(options: KafkaConnectionOptions): Kafka {
  fixIdleRequestQueuePolling();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: creatorFor(options.log ?? consoleSink),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 10000 },
  });
}
