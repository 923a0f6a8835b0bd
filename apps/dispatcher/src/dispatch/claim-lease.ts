import { Inject, Injectable, Logger } from '@nestjs/common';
import { InstanceLease } from '@sms/database';
import { DataSource } from 'typeorm';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';

/**
 * This instance's one lease over every claim it holds (`sends.claimed_by`): its row of
 * dispatcher.send_instances, kept alive for IN_DOUBT_AFTER_MS past each renewal. Claims of an
 * instance that stopped renewing are in doubt, and the reconciler of any instance settles them;
 * a live instance's claims are never taken over, however long they wait for their slot. It
 * replaces a lease per claim, which wrote every claim's row again every quarter lease while it
 * waited.
 */
@Injectable()
export class ClaimLease extends InstanceLease {
  constructor(@Inject(DataSource) db: DataSource, @Inject(DISPATCHER_CONFIG_TOKEN) config: DispatcherConfig) {
    const logger = new Logger(ClaimLease.name);
    super(db, 'dispatcher.send_instances', config.IN_DOUBT_AFTER_MS, (message, error) => logger.warn({ message, error: error.message }), "this instance's lease on its claims");
  }

  /** Taken before the first claim; instances gone for a day, which hold nothing any more, are forgotten then. */
  override async start(): Promise<void> {
    await super.start();
    await this.prune();
  }
}
