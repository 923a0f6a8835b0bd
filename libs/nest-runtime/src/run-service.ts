import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { KafkaPublisher } from '@sms/kafka';
import { KAFKA_CLIENT, KafkaBatchTransport } from '@sms/nest-kafka';
import type { TracingHandle } from '@sms/tracing';
import type { Kafka } from 'kafkajs';
import { describeConfig, loadConfig, type ConfigSpec, type ConfigValues } from '@sms/config';
import { JsonLogger } from './json-logger.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

export interface ServiceOptions {
  name: string;
  module: Type | DynamicModule;
  logger: JsonLogger;
  host: string;
  port: number;
  tracing: TracingHandle;
  /** Consume the `@EventPattern` topics of the module's controllers. */
  consumeKafka: boolean;
  /** Accept form-encoded bodies too (Twilio webhooks). */
  formBodies?: boolean;
  jsonBodyLimit?: string;
  /** Folders served as static files (a browser console), by URL prefix. */
  staticAssets?: { directory: string; prefix: string }[];
  /** Browser origins allowed to call this API (CORS): a console another service serves. None when empty. */
  corsOrigins?: string[];
  describeRecord?: (topic: string, value: unknown) => Record<string, string | number | boolean>;
  /** Called after the application is listening, e.g. to publish start-up state. */
  afterStart?: (app: INestApplication) => Promise<void>;
}

/** Span attributes for a consumed record: which message and tenant, never who or what. */
function describeRecord(_topic: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as { id?: unknown; messageId?: unknown; tenantId?: unknown; schema?: unknown };
  const messageId = v.schema === 'sms.envelope' ? v.id : v.messageId;
  return {
    ...(typeof messageId === 'string' ? { 'sms.message_id': messageId } : {}),
    ...(typeof v.tenantId === 'string' ? { 'sms.tenant_id': v.tenantId } : {}),
  };
}

/**
 * Builds and starts one service: HTTP, the Kafka transport, and `app.close()` stops it in the
 * safe order (stop accepting HTTP and stop consuming, then flush producers and close the
 * database in onApplicationShutdown). Integration tests start services in-process with it.
 */
export async function startService(options: ServiceOptions): Promise<INestApplication> {
  const logger = options.logger;
  const app = await NestFactory.create<NestExpressApplication>(options.module, {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: options.jsonBodyLimit ?? '64kb', strict: true });
  if (options.formBodies) app.useBodyParser('urlencoded', { limit: '64kb', extended: false, parameterLimit: 200 });
  app.useGlobalFilters(new ProblemDetailsFilter());
  for (const asset of options.staticAssets ?? []) app.useStaticAssets(asset.directory, { prefix: asset.prefix, index: ['index.html'], fallthrough: true });
  if (options.corsOrigins?.length) {
    // Keys travel in the authorization header, never in cookies: no credentials mode.
    app.enableCors({ origin: options.corsOrigins, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 });
  }
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  if (options.consumeKafka) {
    app.connectMicroservice(
      {
        strategy: new KafkaBatchTransport({
          kafka: app.get<Kafka>(KAFKA_CLIENT),
          publisher: app.get(KafkaPublisher),
          service: options.name,
          log: logger.kafkaSink(),
          describe: options.describeRecord ?? describeRecord,
        }),
      },
      { inheritAppConfig: true },
    );
  }

  await app.init();
  if (options.consumeKafka) await app.startAllMicroservices();
  await app.listen(options.port, options.host);
  if (options.afterStart) await options.afterStart(app);
  logger.log({ message: 'service started', port: options.port, host: options.host });
  return app;
}

/** How long a graceful stop may take: under Kubernetes' default 30 s grace period. */
const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * Starts one service and stops it on SIGTERM/SIGINT in the safe order, then flushes traces.
 * In-flight batches finish or are left uncommitted for redelivery.
 */
export async function runService(options: ServiceOptions): Promise<INestApplication> {
  const app = await startService(options);
  const logger = options.logger;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    // Ctrl-C reaches every process of the group and the parent forwards it too: a second
    // signal must not cut a graceful stop short (the deadline below bounds it).
    if (stopping) return;
    stopping = true;
    logger.log({ message: 'service stopping', signal });
    // A broker or database that is gone can hold a graceful close forever; whatever is not
    // committed by the deadline is redelivered to the next instance, so exiting is safe.
    setTimeout(() => {
      logger.error({ message: 'shutdown did not finish in time: exiting', deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    try {
      await app.close();
      await options.tracing.shutdown();
      process.exit(0);
    } catch (error) {
      logger.error({ message: 'unclean shutdown', error: (error as Error).message });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return app;
}

/** Variables `bootstrapService` relies on in every service's configuration. */
interface ServiceConfigBase {
  HTTP_HOST: string;
  HTTP_PORT: number;
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

/**
 * The whole of a service's main.ts: read and validate the configuration (failing with every
 * problem listed), log it without secrets, and run the module.
 */
export async function bootstrapService<S extends ConfigSpec>(options: {
  name: string;
  spec: S;
  tracing: TracingHandle;
  module: (config: ConfigValues<S>, logger: JsonLogger) => DynamicModule;
  consumeKafka: boolean;
  formBodies?: boolean;
  staticAssets?: { directory: string; prefix: string }[];
  corsOrigins?: (config: ConfigValues<S>) => string[];
}): Promise<INestApplication> {
  let config: ConfigValues<S> & ServiceConfigBase;
  try {
    config = loadConfig(options.spec) as ConfigValues<S> & ServiceConfigBase;
  } catch (error) {
    console.error(`${options.name}: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = new JsonLogger(options.name, config.LOG_LEVEL);
  logger.log({ message: 'configuration', config: describeConfig(options.spec, config) });
  return runService({
    name: options.name,
    module: options.module(config, logger),
    logger,
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    tracing: options.tracing,
    consumeKafka: options.consumeKafka,
    ...(options.formBodies !== undefined ? { formBodies: options.formBodies } : {}),
    ...(options.staticAssets ? { staticAssets: options.staticAssets } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins(config) } : {}),
  });
}
