import type { TopicDefinition } from '@sms/contracts';
import type { z } from 'zod';

export type DecodeFailure = {
  ok: false;
  kind: 'invalid_json' | 'schema_violation';
  message: string;
  issues: { path: string; message: string }[];
};
export type DecodeResult<T> = { ok: true; value: T } | DecodeFailure;

export function encodeValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((issue) => ({
    path:
      issue.path.length === 0
        ? '(root)'
        : issue.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
            .join('.')
            .replace(/\.\[/g, '['),
    message: issue.message,
  }));
}

/** Parses and validates a record value against its topic's schema. */
export function decodeValue<S extends z.ZodType>(topic: TopicDefinition<S>, raw: Buffer | null): DecodeResult<z.infer<S>> {
  if (raw === null) {
    return { ok: false, kind: 'invalid_json', message: 'record has no value', issues: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, kind: 'invalid_json', message: `value is not JSON: ${(error as Error).message}`, issues: [] };
  }
  const parsed = topic.schema.safeParse(json);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues);
    return {
      ok: false,
      kind: 'schema_violation',
      message: `value does not match ${topic.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    };
  }
  return { ok: true, value: parsed.data };
}
