import { Inject, Injectable, Logger } from '@nestjs/common';
import { Periodic } from '@sms/util';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';

/**
 * This instance's one lease over every claim it holds (`sends.claimed_by`): a row of
 * dispatcher.send_instances kept alive for IN_DOUBT_AFTER_MS past each renewal, renewed every
 * quarter of it. Claims of an instance that stopped renewing are in doubt, and the reconciler of
 * any instance settles them; a live instance's claims are never taken over, however long they
 * wait for their slot. It replaces a lease per claim, which wrote every claim's row again every
 * quarter lease while it waited.
 */
@Injectable()
export class ClaimLease {
  private readonly logger = new Logger(ClaimLease.name);
  readonly instanceId = randomUUID();
  private readonly renewals: Periodic;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    this.renewals = new Periodic(
      Math.max(250, Math.floor(config.IN_DOUBT_AFTER_MS / 4)),
      () => this.renew(),
      (error) => this.logger.warn({ message: "renewing this instance's lease on its claims failed; trying again", error: error.message }),
    );
  }

  /** Taken before the first claim. */
  async start(): Promise<void> {
    await this.renew();
    this.renewals.start();
  }

  /** Given up once the instance holds no claim any more (a clean stop): what is left is the reconciler's at once. */
  async stop(): Promise<void> {
    await this.renewals.stop();
    await this.db
      .query(`UPDATE dispatcher.send_instances SET alive_until = now() WHERE id = $1`, [this.instanceId])
      .catch((error: Error) => this.logger.warn({ message: "could not give up this instance's lease on its claims; it lapses by itself", error: error.message }));
  }

  private async renew(): Promise<void> {
    await this.db.query(
      `INSERT INTO dispatcher.send_instances (id, alive_until) VALUES ($1, now() + make_interval(secs => $2::double precision / 1000))
       ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
      [this.instanceId, this.config.IN_DOUBT_AFTER_MS],
    );
    // Instances gone for a day hold nothing any more.
    await this.db.query(`DELETE FROM dispatcher.send_instances WHERE alive_until < now() - interval '1 day'`);
  }
}
