import type { DynamicModule, INestApplication } from '@nestjs/common';
import { loadConfig, type ConfigSpec, type ConfigValues } from '@sms/config';
import { TOPICS, TenantConfigEventSchema, type TenantConfigEvent } from '@sms/contracts';
import { encodeValue } from '@sms/kafka';
import { JsonLogger, startService } from '@sms/nest-runtime';
import { createServer } from 'node:net';
import { produceRaw, testKafka } from './kafka-harness.js';
import { testStack } from './stack.js';

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningService {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts one service in-process against the test stack's Kafka and database, configured
 * exactly as in production from its own configuration spec (plus `env` overrides).
 */
export async function startServiceInProcess<S extends ConfigSpec>(options: {
  name: string;
  spec: S;
  module: (config: ConfigValues<S>, logger: JsonLogger) => DynamicModule;
  env?: Record<string, string>;
  /** As in the service's main.ts: the browser origins its configuration allows. */
  corsOrigins?: (config: ConfigValues<S>) => string[];
  /** As in the service's main.ts: form-encoded bodies accepted too (Twilio's webhooks). */
  formBodies?: boolean;
}): Promise<RunningService> {
  const stack = testStack();
  const port = await freePort();
  const config = loadConfig(options.spec, {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    DATABASE_URL: stack.databaseUrl,
    PII_HASH_KEY: stack.piiHashKey,
    ADMIN_API_KEY: stack.adminApiKey,
    REDIS_URL: stack.redisUrl,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const logger = new JsonLogger(options.name, 'warn');
  const app = await startService({
    name: options.name,
    module: options.module(config, logger),
    logger,
    host: '127.0.0.1',
    port,
    tracing: { shutdown: async () => undefined },
    consumeKafka: true,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins(config) } : {}),
    ...(options.formBodies !== undefined ? { formBodies: options.formBodies } : {}),
  });
  return { app, url: `http://127.0.0.1:${port}`, stop: () => app.close() };
}

/** Puts a tenant on the tenant topic, as intake's registry does. */
export async function publishTenant(tenant: Partial<TenantConfigEvent> & { tenantId: string }): Promise<TenantConfigEvent> {
  const value = TenantConfigEventSchema.parse(tenant);
  await produceRaw(testKafka(testStack().kafkaBrokers), TOPICS.tenantConfig.name, [{ key: value.tenantId, value: encodeValue(value) }]);
  return value;
}
