import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Periodic } from '@sms/util';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

/**
 * This instance's claim on the outbox rows it publishes. Every row an instance stores is
 * claimed by it (`claimed_by`), and the instance keeps a row in intake.outbox_instances alive
 * while it runs, renewing it every quarter of OUTBOX_CLAIM_LEASE_MS, however long its
 * publishes take. A relay takes only rows nobody claims or whose claimant stopped renewing:
 * a publish still in flight in a live instance is never published again by anyone, and the
 * rows of an instance that died are published by another once its lease ran out.
 */
@Injectable()
export class OutboxClaims implements OnApplicationBootstrap, OnModuleDestroy {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger(OutboxClaims.name);
  private readonly renewals: Periodic;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
  ) {
    this.renewals = new Periodic(Math.max(1, Math.floor(config.OUTBOX_CLAIM_LEASE_MS / 4)), () => this.renew(), (error) =>
      this.logger.warn({ message: 'could not renew the outbox claim; another instance may publish this one\'s messages again', error: error.message }),
    );
  }

  /** Registered before intake accepts anything: its rows are claimed from the first. */
  async onApplicationBootstrap(): Promise<void> {
    await this.renew();
    this.renewals.start();
  }

  /** A clean stop gives up the claim at once: what is still unpublished is the relays'. */
  async onModuleDestroy(): Promise<void> {
    await this.renewals.stop();
    await this.db
      .query(`UPDATE intake.outbox_instances SET alive_until = now() WHERE id = $1`, [this.instanceId])
      .catch((error: Error) => this.logger.warn({ message: 'could not give up the outbox claim; it lapses by itself', error: error.message }));
  }

  /** Forgets instances gone for a day (their rows were relayed long since). */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM intake.outbox_instances WHERE alive_until < now() - interval '1 day'`);
  }

  private async renew(): Promise<void> {
    await this.db.query(
      `INSERT INTO intake.outbox_instances (id, alive_until) VALUES ($1, now() + make_interval(secs => $2::double precision / 1000))
       ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
      [this.instanceId, this.config.OUTBOX_CLAIM_LEASE_MS],
    );
  }
}

/**
 * SQL that claims for `$1` (this instance) up to `$2` unpublished rows of `table` that nobody
 * live claims, oldest first by `orderBy`, and returns `columns` of them in that order. Rows
 * another relay is claiming at the same moment are skipped.
 */
export function claimUnpublishedSql(table: string, orderBy: string, columns: string): string {
  return `WITH claimed AS (
      UPDATE ${table} m SET claimed_by = $1
       WHERE m.id IN (
         SELECT o.id FROM ${table} o
          WHERE o.published_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM intake.outbox_instances i WHERE i.id = o.claimed_by AND i.alive_until > now())
          ORDER BY o.${orderBy} LIMIT $2
          FOR UPDATE SKIP LOCKED)
      RETURNING m.${orderBy} AS order_by, ${columns.split(',').map((c) => `m.${c.trim()}`).join(', ')})
    SELECT ${columns} FROM claimed ORDER BY order_by`;
}
