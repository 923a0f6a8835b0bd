import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { InboundMessageEvent } from '@sms/contracts';
import { parseInternationalNumber } from '@sms/domain';
import { TenantDirectory } from '@sms/tenancy';
import { Periodic } from '@sms/util';
import { randomUUID } from 'node:crypto';
import { Counter, register } from 'prom-client';
import twilio from 'twilio';
import { DataSource } from 'typeorm';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';
import { InboundOutbox } from './inbound-outbox.service.js';

type RequestClient = InstanceType<typeof twilio.RequestClient>;

/** The SDK's own HTTP client, with the origin of every request replaced by a configured base address (the simulator). */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: URL) {
    super({ keepAlive: true, timeout: 15_000 });
  }

  override request: RequestClient['request'] = (options) => {
    const target = new URL(options.uri);
    target.protocol = this.baseUrl.protocol;
    target.host = this.baseUrl.host;
    return super.request({ ...options, uri: target.toString() });
  };
}

function counter(name: string, help: string): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help });
}

/**
 * Twilio does not retry an inbound webhook that failed (intake down, or answering 5xx), so a
 * STOP sent then would be lost. Every INBOUND_RECONCILE_MS, and once at start, this lists at
 * Twilio the inbound messages of every tenant number (messaging services' numbers included)
 * dated since the last completed run (less an overlap) and older than INBOUND_RECONCILE_GRACE_MS
 * (a younger one's webhook may still be on its way), and records each one intake does not
 * hold yet exactly as the webhook would: into the inbound outbox, then on sms.inbound.v1.
 * The outbox's unique Twilio message SID decides who records a message the webhook and the
 * reconciler (or two instances) both saw: only the insert that created the row publishes it.
 */
@Injectable()
export class InboundReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InboundReconciler.name);
  private readonly client: ReturnType<typeof twilio> | null;
  private ticks: Periodic | null = null;
  private first: Promise<unknown> | null = null;
  private readonly runs = counter('intake_inbound_reconcile_runs_total', 'Completed runs of the inbound reconciler (inbound messages listed at Twilio)');
  private readonly recorded = counter('intake_inbound_reconciled_total', 'Inbound messages the reconciler found at Twilio that the webhook had not recorded (a failed webhook)');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(InboundOutbox) private readonly inbound: InboundOutbox,
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
  ) {
    this.client =
      config.TWILIO_ACCOUNT_SID === undefined
        ? null
        : twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, {
            ...(config.TWILIO_API_BASE_URL ? { httpClient: new BaseUrlRequestClient(new URL(config.TWILIO_API_BASE_URL)) } : {}),
            autoRetry: false,
          });
  }

  onApplicationBootstrap(): void {
    if (!this.client) {
      this.logger.warn({ message: 'TWILIO_ACCOUNT_SID is not set: inbound messages whose webhook failed are not reconciled' });
      return;
    }
    const failed = (error: Error): void => this.logger.warn({ message: 'inbound reconciliation failed; will retry', error: error.message });
    this.first = this.reconcileOnce().catch(failed);
    this.ticks = new Periodic(this.config.INBOUND_RECONCILE_MS, () => this.reconcileOnce(), failed);
    this.ticks.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.ticks?.stop();
    await this.first;
  }

  /** One run: the number of inbound messages it recorded (those no webhook or other run had). */
  async reconcileOnce(): Promise<number> {
    if (!this.client) return 0;
    const startedAt = new Date();
    // Messages younger than this are left to their webhook, which may still be on its way.
    const cutoff = new Date(startedAt.getTime() - this.config.INBOUND_RECONCILE_GRACE_MS);
    const since = new Date((await this.watermark(cutoff)).getTime() - this.config.INBOUND_RECONCILE_OVERLAP_MS);
    const found: InboundMessageEvent[] = [];
    for (const tenant of this.tenants.all()) {
      for (const number of new Set(tenant.senders.map((s) => s.number))) {
        const messages = await this.client.messages.list({ to: number, dateSentAfter: since, pageSize: 1000 });
        for (const m of messages) {
          if (m.direction !== 'inbound' || m.dateSent === null || m.dateSent.getTime() > cutoff.getTime()) continue;
          const from = parseInternationalNumber(m.from);
          if (!from.ok) continue;
          found.push({
            id: randomUUID(),
            tenantId: tenant.tenantId,
            twilioSid: m.sid,
            from: from.value.e164,
            to: number,
            body: m.body ?? '',
            // When Twilio posted (or tried to post) the webhook.
            receivedAt: m.dateSent.toISOString(),
          });
        }
      }
    }
    const fresh = found.length === 0 ? [] : await this.inbound.acceptMissing(found);
    if (fresh.length > 0) {
      this.logger.log({ message: 'recorded inbound messages whose webhook failed', count: fresh.length, twilioSids: fresh.map((e) => e.twilioSid) });
      this.recorded.inc(fresh.length);
    }
    await this.advance(cutoff);
    this.runs.inc();
    return fresh.length;
  }

  /** Up to when the last completed run recorded (its start less the grace); `fallback` if none ever completed. */
  private async watermark(fallback: Date): Promise<Date> {
    const rows: { watermark: Date }[] = await this.db.query(`SELECT watermark FROM intake.inbound_reconcile_state WHERE id = 1`);
    return rows[0]?.watermark ?? fallback;
  }

  private async advance(to: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO intake.inbound_reconcile_state (id, watermark) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET watermark = GREATEST(intake.inbound_reconcile_state.watermark, EXCLUDED.watermark)`,
      [to],
    );
  }
}
