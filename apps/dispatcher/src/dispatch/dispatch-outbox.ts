import { Inject, Injectable } from '@nestjs/common';
import { OutboxLease } from '@sms/database';
import { KafkaPublisher } from '@sms/kafka';
import { PeriodicTask } from '@sms/nest-runtime';
import { Batcher } from '@sms/util';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { OUTBOX_LEASE, OutboxRepository, type OutboxRow } from './outbox.repository.js';

/**
 * Publishes the outcome records the dispatcher wrote to its outbox (dispatcher.outbox), each in
 * the transaction of its outcome: a held or blocked message, a scheduled, sending, failed or
 * cancelled status, an alert. The instance that wrote a record publishes it right after the
 * commit and marks it published once the broker acknowledged it. A record that instance could
 * not publish (it died, or stopped, first) is published by the relay of any instance once the
 * claim lapsed (OutboxLease, the design intake's outbox uses): a live instance's records in
 * flight are never published again by another. A record published twice (a crash after the
 * acknowledgement, before the mark) is harmless: consumers keep each status of a message once.
 */
@Injectable()
export class DispatchOutbox extends PeriodicTask {
  private readonly marks = new Batcher<string, void>((ids) => this.rows.markPublished(ids).then(() => ids.map(() => undefined)), { maxItems: 2000, maxConcurrent: 2 });

  constructor(
    @Inject(OutboxRepository) private readonly rows: OutboxRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(OUTBOX_LEASE) private readonly lease: OutboxLease,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    super({ everyMs: config.OUTBOX_RELAY_INTERVAL_MS, failure: 'outbox relay failed; will retry' });
  }

  /** Registered before anything is written: this instance's records are its own from the first. */
  override async onApplicationBootstrap(): Promise<void> {
    await this.lease.start();
    await super.onApplicationBootstrap();
  }

  override async onModuleDestroy(): Promise<void> {
    await super.onModuleDestroy();
    await this.lease.stop();
  }

  /**
   * Publishes records this instance just wrote, then marks them. Never throws: records whose
   * publish failed are given up to the relays (and published again by the next relay run).
   */
  async publish(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.publisher.publishRaw(rows.map((r) => r.record));
    } catch (error) {
      this.logger.warn({ message: 'publishing outcomes failed; the outbox relay publishes them', count: rows.length, error: (error as Error).message });
      await this.rows.releaseOutbox(rows.map((r) => r.id)).catch(() => undefined);
      return;
    }
    await Promise.all(rows.map((r) => this.marks.add(r.id))).catch((error: Error) =>
      this.logger.warn({ message: 'marking published outcomes failed; they may be published again', error: error.message }),
    );
  }

  /**
   * Publishes the records no live instance is publishing, oldest first; the number published (0
   * while another instance's relay runs: two relays would publish one message's records side by
   * side, out of order).
   */
  async runOnce(): Promise<number> {
    return (await this.lease.asTheOnlyRelay(() => this.relayAll())) ?? 0;
  }

  private async relayAll(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const rows = await this.rows.takeUnpublished(this.lease.instanceId, 500);
      if (rows.length === 0) break;
      try {
        await this.publisher.publishRaw(rows.map((r) => r.record));
      } catch (error) {
        // Given up again, or this live instance's claim would keep them from every relay.
        await this.rows.releaseOutbox(rows.map((r) => r.id)).catch(() => undefined);
        throw error;
      }
      await this.rows.markPublished(rows.map((r) => r.id));
      total += rows.length;
      if (rows.length < 500) break;
    }
    if (total > 0) this.logger.log({ message: 'outbox relay published outcomes another instance could not', count: total });
    await this.rows.pruneOutbox(this.config.OUTBOX_RETENTION_MS);
    await this.lease.prune();
    return total;
  }
}
