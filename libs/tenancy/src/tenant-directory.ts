import { TOPICS, type TenantConfigEvent } from '@sms/contracts';
import { CompactedTopicView, type KafkaLogSink } from '@sms/kafka';
import type { Kafka } from 'kafkajs';
import { hashApiKey } from './api-key.js';

/** The tenants, read from `tenant.config.v1`. */
export class TenantDirectory {
  private readonly view: CompactedTopicView<typeof TOPICS.tenantConfig.schema>;
  private readonly byKeyHash = new Map<string, string>();
  private ready = false;

  constructor(kafka: Kafka, service: string, log: KafkaLogSink) {
    this.view = new CompactedTopicView(kafka, TOPICS.tenantConfig, service, log);
    this.view.onChange(() => this.reindex());
  }

  async start(): Promise<void> {
    await this.view.start();
    this.ready = true;
  }

  stop(): Promise<void> {
    return this.view.stop();
  }

  isReady(): boolean {
    return this.ready;
  }

  /** Health check: every tenant on the topic has been read. */
  health(): { name: string; check(): Promise<boolean> } {
    return { name: 'tenants', check: async () => this.ready };
  }

  get(tenantId: string): TenantConfigEvent | undefined {
    return this.view.get(tenantId);
  }

  all(): IterableIterator<TenantConfigEvent> {
    return this.view.values();
  }

  byApiKey(key: string): TenantConfigEvent | undefined {
    const tenantId = this.byKeyHash.get(hashApiKey(key));
    return tenantId === undefined ? undefined : this.view.get(tenantId);
  }

  /** The tenant that owns a sender number (for inbound messages and callbacks). */
  bySenderNumber(number: string): TenantConfigEvent | undefined {
    for (const tenant of this.view.values()) {
      if (tenant.senders.some((s) => s.number === number)) return tenant;
    }
    return undefined;
  }

  private reindex(): void {
    this.byKeyHash.clear();
    for (const tenant of this.view.values()) {
      for (const hash of tenant.apiKeyHashes) this.byKeyHash.set(hash, tenant.tenantId);
    }
  }
}
