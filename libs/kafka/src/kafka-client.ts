import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { createRequire } from 'node:module';
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

// kafkajs' own table of Kafka's error codes (its last release, 2.2.4, exports no other way to it).
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { type: string; message: string; retriable: boolean }[] };
// Besides the retriable errors, those a consumer group settles by rejoining.
const SETTLED_BY_REJOINING = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS']);
const TRANSIENT = new Set(errorCodes.filter((e) => e.retriable || SETTLED_BY_REJOINING.has(e.type)).map((e) => e.message));

/**
 * kafkajs logs every error answer of the broker at ERROR, also those it retries or settles by
 * rejoining the group ("the coordinator is loading" while a broker starts, "the group is
 * rebalancing"): those go to debug, so that an operator reads ERROR only when something is wrong.
 */
export function kafkaLogCreator(sink: KafkaLogSink): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const context = { source: 'kafkajs', namespace, ...rest };
      const transient = typeof rest['error'] === 'string' && TRANSIENT.has(rest['error']);
      if (level === logLevel.ERROR && !transient) sink.error(message, context);
      else if (level === logLevel.WARN && !transient) sink.warn(message, context);
      else sink.info(message, context);
    };
}

export function createKafkaClient(options: KafkaConnectionOptions): Kafka {
  fixIdleRequestQueuePolling();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.log ?? consoleSink),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 10000 },
  });
}
