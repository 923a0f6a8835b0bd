import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import { Batcher } from '@sms/util';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { concatMap, from, map, switchMap, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

/**
 * Webhooks already handled, remembered for the replay window. Look-ups and inserts are
 * batched, one statement for many webhooks: Twilio posts three status callbacks per message,
 * and a round trip each ran the connection pool dry under load.
 */
@Injectable()
export class WebhookReceipts implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private readonly lookups = new Batcher<string, boolean>((keys) => this.seenMany(keys), { maxItems: 1000, maxConcurrent: 2 });
  private readonly inserts = new Batcher<string, void>((keys) => this.rememberMany(keys), { maxItems: 1000, maxConcurrent: 2 });

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.forgetOld().catch(() => undefined), 3_600_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  seen(key: string): Promise<boolean> {
    return this.lookups.add(key);
  }

  remember(key: string): Promise<void> {
    return this.inserts.add(key);
  }

  private async seenMany(keys: string[]): Promise<boolean[]> {
    const rows: { key: string }[] = await this.db.query(`SELECT key FROM intake.webhook_receipts WHERE key = ANY($1::text[])`, [keys]);
    const found = new Set(rows.map((r) => r.key));
    return keys.map((k) => found.has(k));
  }

  private async rememberMany(keys: string[]): Promise<void[]> {
    await this.db.query(`INSERT INTO intake.webhook_receipts (key, received_at) SELECT DISTINCT k, now() FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING`, [keys]);
    return keys.map(() => undefined);
  }

  private async forgetOld(): Promise<void> {
    await this.db.query(`DELETE FROM intake.webhook_receipts WHERE received_at < now() - make_interval(hours => $1::int)`, [this.config.WEBHOOK_REPLAY_WINDOW_HOURS]);
  }
}

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
