import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TracingHandle {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for one service. Spans are exported over OTLP/HTTP when an
 * endpoint is given; without one, context still propagates so downstream services that do
 * export keep one trace per message.
 */
export function startTracing(serviceName: string, otlpEndpoint: string | undefined): TracingHandle {
  // Without an exporter, spans are still created (a no-op processor keeps the tracer
  // provider), so logs carry trace ids and context flows on to services that do export.
  const spanProcessors: SpanProcessor[] = [new NoopSpanProcessor()];
  if (otlpEndpoint) {
    const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` });
    spanProcessors.push(new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500, maxExportBatchSize: 512, maxQueueSize: 8192 }));
  }
  const sdk = startNodeSdk({
    resourceAttributes: { 'service.name': serviceName, 'service.namespace': 'sms-gateway' },
    resourceDetectors: [],
    propagators: [new W3CTraceContextPropagator()],
    spanProcessors,
    logLevel: 'warn',
  });
  return { shutdown: () => sdk.shutdown() };
}

export function tracer(name = 'sms-gateway'): Tracer {
  return trace.getTracer(name);
}

/** Reads W3C trace context from string headers (Kafka record headers, HTTP headers). */
export function extractContext(headers: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

/** Writes the given context's trace headers into a carrier. */
export function injectContext(ctx: Context, carrier: Record<string, string> = {}): Record<string, string> {
  propagation.inject(ctx, carrier);
  return carrier;
}

export { context, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT } from '@opentelemetry/api';
export type { Context, Span } from '@opentelemetry/api';
