import { z } from 'zod';
import { csv, port, variable } from './config.js';

/** Variables every service reads. Each service adds its own. */
export const COMMON_VARIABLES = {
  KAFKA_BROKERS: variable(csv('127.0.0.1:9092'), 'Kafka bootstrap servers, comma-separated host:port'),
  DATABASE_URL: variable(z.url().default('postgres://postgres@127.0.0.1:5432/sms_gateway'), 'PostgreSQL connection URL; each service uses its own schema in this database', true),
  PII_HASH_KEY: variable(z.string().min(16), 'Secret key for pseudonymising phone numbers in logs, traces, Kafka keys and analyst streams', true),
  OTEL_EXPORTER_OTLP_ENDPOINT: variable(z.url().optional(), 'OTLP/HTTP endpoint of a trace backend (spans go to <endpoint>/v1/traces); unset: no OTLP export'),
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: variable(z.url().optional(), "A Zipkin server's span endpoint (e.g. http://127.0.0.1:9411/api/v2/spans); unset: no Zipkin export"),
  // Read by the OpenTelemetry SDK itself; declared here so a wrong value stops the service at
  // start with the others, and so the deployment carries them. Sampling keeps a trace's
  // services together (the parent decides), and audit, not tracing, is the record of each message.
  OTEL_TRACES_SAMPLER: variable(
    z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']).optional(),
    'Which traces are recorded (OpenTelemetry names); unset: all. At high volume, parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG',
  ),
  OTEL_TRACES_SAMPLER_ARG: variable(z.coerce.number().min(0).max(1).optional(), 'The share of traces recorded by the ratio samplers, 0 to 1 (e.g. 0.05)'),
  LOG_LEVEL: variable(z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'), 'Lowest log level written'),
};

/** Where a service's HTTP server listens. */
export function httpVariables(defaultPort: number, what: string) {
  return {
    HTTP_HOST: variable(z.string().default('127.0.0.1'), 'Address the HTTP server listens on'),
    HTTP_PORT: variable(port(defaultPort), `Port of ${what}`),
  };
}
