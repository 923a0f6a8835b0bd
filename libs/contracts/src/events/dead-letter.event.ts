import { z } from 'zod';
import { TimestampSchema } from './common.js';

/**
 * A record a consumer could not accept, with why and the original bytes (base64), so that
 * nothing is lost and an operator can replay it after a fix.
 */
export const DeadLetterEventSchema = z.strictObject({
  sourceTopic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  consumerGroup: z.string(),
  keyBase64: z.string().nullable(),
  valueBase64: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  error: z.strictObject({
    kind: z.enum(['invalid_json', 'schema_violation', 'processing_error']),
    message: z.string(),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).default([]),
  }),
  at: TimestampSchema,
});
export type DeadLetterEvent = z.infer<typeof DeadLetterEventSchema>;
