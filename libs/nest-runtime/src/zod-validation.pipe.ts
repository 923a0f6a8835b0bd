import { Injectable, type PipeTransform } from '@nestjs/common';
import { formatIssues } from '@sms/kafka';
import type { z } from 'zod';
import { ProblemException } from './problem-details.filter.js';

/**
 * Validates a request part against a schema from the contracts library; a failure is a 400
 * that lists every problem with its path ("body.to: ...").
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly where: 'body' | 'query' | 'params' = 'body',
  ) {}

  transform(value: unknown): z.infer<S> {
    if (this.where === 'body' && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ProblemException(400, 'validation', 'Invalid request', 'the request body must be a JSON object', [{ path: 'body', message: 'expected a JSON object' }]);
    }
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const errors = formatIssues(parsed.error.issues).map((i) => ({
      path: i.path === '(root)' ? this.where : `${this.where}.${i.path}`,
      message: i.message,
    }));
    throw new ProblemException(400, 'validation', 'Invalid request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
}
