import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Batcher } from '@sms/util';
import { DataSource } from 'typeorm';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

/**
 * Inbound webhooks already handled, remembered for the replay window. Look-ups and inserts are
 * batched, one statement for many webhooks: a round trip each ran the connection pool dry
 * under load (when status callbacks kept receipts too).
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
