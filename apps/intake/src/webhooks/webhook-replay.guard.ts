import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { concatMap, from, map, switchMap, type Observable } from 'rxjs';
import { WebhookReceipts } from './webhook-receipts.repository.js';

/**
 * Refuses a replayed Twilio webhook: a signed request captured and sent again. Twilio gives
 * each webhook an I-Twilio-Idempotency-Token (the same on its own retries); without one, the
 * URL and parameters identify it. A webhook is remembered only once it was handled, so
 * Twilio's retry after one of our failures is still accepted. Inbound messages only: a status
 * callback's replay changes nothing downstream, so it keeps no receipt (status-callback.ts).
 */
@Injectable()
export class WebhookReplayGuard implements NestInterceptor {
  constructor(@Inject(WebhookReceipts) private readonly receipts: WebhookReceipts) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const key = webhookKey(request);
    return from(this.receipts.seen(key)).pipe(
      switchMap((seen) => {
        if (seen) throw new ProblemException(409, 'replayed-webhook', 'Webhook already handled', 'this webhook was received before: a replay is refused');
        // Remembered before the answer goes out, so an immediate replay is refused too.
        return next.handle().pipe(concatMap((result: unknown) => from(this.receipts.remember(key)).pipe(map(() => result))));
      }),
    );
  }
}

export function webhookKey(request: Pick<Request, 'originalUrl' | 'body' | 'header'>): string {
  const token = request.header('i-twilio-idempotency-token');
  if (token) return `token:${token}`;
  const params = Object.entries((request.body ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `hash:${createHash('sha256').update(request.originalUrl).update(JSON.stringify(params)).digest('hex')}`;
}
