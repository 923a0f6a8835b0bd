import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { statusFromTwilio } from '@sms/contracts';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { concatMap, from, map, switchMap, type Observable } from 'rxjs';
import { WebhookReceipts } from './webhook-receipts.repository.js';

/**
 * Refuses a replayed Twilio webhook: a signed request captured and sent again. Twilio gives
 * each webhook an I-Twilio-Idempotency-Token (the same on its own retries); without one, the
 * URL and parameters identify it. A webhook is remembered only once it was handled, so
 * Twilio's retry after one of our failures is still accepted.
 */
@Injectable()
export class WebhookReplayGuard implements NestInterceptor {
  constructor(@Inject(WebhookReceipts) private readonly receipts: WebhookReceipts) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.replayMatters(request)) return next.handle();
    const key = webhookKey(request);
    return from(this.receipts.seen(key)).pipe(
      switchMap((seen) => {
        if (seen) throw new ProblemException(409, 'replayed-webhook', 'Webhook already handled', 'this webhook was received before: a replay is refused');
        // Remembered before the answer goes out, so an immediate replay is refused too.
        return next.handle().pipe(concatMap((result: unknown) => from(this.receipts.remember(key)).pipe(map(() => result))));
      }),
    );
  }

  /** Whether handling this webhook twice could change anything (every one does, unless a route says otherwise). */
  protected replayMatters(_request: Request): boolean {
    return true;
  }
}

/**
 * The same for status callbacks, except those that change nothing: a state we do not track
 * (queued, accepting, sending: a third of all callbacks) is answered without a receipt, as its
 * replay publishes nothing either.
 */
@Injectable()
export class StatusCallbackReplayGuard extends WebhookReplayGuard {
  protected override replayMatters(request: Request): boolean {
    const status = (request.body as { MessageStatus?: unknown } | undefined)?.MessageStatus;
    return typeof status !== 'string' || statusFromTwilio(status) !== null;
  }
}

export function webhookKey(request: Pick<Request, 'originalUrl' | 'body' | 'header'>): string {
  const token = request.header('i-twilio-idempotency-token');
  if (token) return `token:${token}`;
  const params = Object.entries((request.body ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `hash:${createHash('sha256').update(request.originalUrl).update(JSON.stringify(params)).digest('hex')}`;
}
