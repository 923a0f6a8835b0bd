import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TracingHandle {
  shutdown(): Promise<void>;
}

/** Where spans go: an OTLP/HTTP endpoint (a collector, Jaeger, Tempo) and/or a Zipkin server. */
export interface TraceExport {
  otlpEndpoint?: string | undefined;
  zipkinEndpoint?: string | undefined;
}

/** The export settings from the standard variables (read here because tracing starts before configuration is loaded). */
export function traceExportFromEnv(env: Record<string, string | undefined> = process.env): TraceExport {
  return { otlpEndpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined, zipkinEndpoint: env['OTEL_EXPORTER_ZIPKIN_ENDPOINT'] || undefined };
}

/**
 * Starts the OpenTelemetry SDK for one service. Spans are exported in batches to the
 * configured backends; without any, context still propagates so downstream services that do
 * export keep one trace per message.
 */
export function startTracing(serviceName: string, target: TraceExport = traceExportFromEnv()): TracingHandle {
  // Without an exporter, spans are still created (a no-op processor keeps the tracer
  // provider), so logs carry trace ids and context flows on to services that do export.
  const spanProcessors: SpanProcessor[] = [new NoopSpanProcessor()];
  const batch = { scheduledDelayMillis: 500, maxExportBatchSize: 512, maxQueueSize: 8192 };
  if (target.otlpEndpoint) {
    const exporter = new OTLPTraceExporter({ url: `${target.otlpEndpoint.replace(/\/$/, '')}/v1/traces` });
    spanProcessors.push(new BatchSpanProcessor({ exporter, ...batch }));
  }
  if (target.zipkinEndpoint) {
    spanProcessors.push(new BatchSpanProcessor({ exporter: new ZipkinExporter({ url: target.zipkinEndpoint, serviceName }), ...batch }));
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
