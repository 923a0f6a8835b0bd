import type { LoggerService, LogLevel } from '@nestjs/common';
import type { KafkaLogSink } from '@sms/kafka';
import { trace } from '@sms/tracing';

const ORDER: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Structured logs: one JSON object per line with the service, the level, the trace and span
 * ids of the active span, and the fields given. Callers pass ids and keyed hashes, never
 * phone numbers or message bodies (AUP.DATA_SAFEGUARDS).
 */
export class JsonLogger implements LoggerService {
  private minimum: number;

  constructor(
    private readonly service: string,
    level: LogLevel = 'log',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.minimum = ORDER.indexOf(level);
  }

  readonly log = this.at('log');
  readonly error = this.at('error');
  readonly warn = this.at('warn');
  readonly debug = this.at('debug');
  readonly verbose = this.at('verbose');
  readonly fatal = this.at('fatal');

  setLogLevels(levels: LogLevel[]): void {
    this.minimum = Math.min(...levels.map((l) => ORDER.indexOf(l)));
  }

  /** The same logger as a sink for kafkajs' own messages. */
  kafkaSink(): KafkaLogSink {
    return {
      error: (message, fields) => this.emit('error', message, [fields, 'kafka']),
      warn: (message, fields) => this.emit('warn', message, [fields, 'kafka']),
      info: (message, fields) => this.emit('debug', message, [fields, 'kafka']),
    };
  }

  /** The logging method of one level (Nest's LoggerService has one per level). */
  private at(level: LogLevel): (message: unknown, ...optional: unknown[]) => void {
    return (message, ...optional) => this.emit(level, message, optional);
  }

  private emit(level: LogLevel, message: unknown, optional: unknown[]): void {
    if (ORDER.indexOf(level) < this.minimum) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service };
    const span = trace.getActiveSpan()?.spanContext();
    if (span) {
      entry['traceId'] = span.traceId;
      entry['spanId'] = span.spanId;
    }
    // Nest passes the context (a class name) as the last string argument.
    const rest = [...optional];
    if (typeof rest.at(-1) === 'string') entry['context'] = rest.pop();
    if (message instanceof Error) {
      entry['message'] = message.message;
      entry['stack'] = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry['message'] = String(message);
    }
    for (const extra of rest) {
      if (extra instanceof Error) entry['error'] = { message: extra.message, stack: extra.stack };
      else if (typeof extra === 'object' && extra !== null) Object.assign(entry, extra);
      else if (typeof extra === 'string' && level === 'error') entry['stack'] = extra;
    }
    this.write(JSON.stringify(entry));
  }
}
