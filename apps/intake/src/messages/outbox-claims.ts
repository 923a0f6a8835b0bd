import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { claimUnpublishedSql as claimSql, OutboxLease } from '@sms/database';
import { DataSource } from 'typeorm';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

/**
 * This instance's claim on the outbox rows it publishes (the shared `OutboxLease`: every row an
 * instance stores is claimed by it, and its row in intake.outbox_instances is renewed every
 * quarter of OUTBOX_CLAIM_LEASE_MS). A relay takes only rows nobody claims or whose claimant
 * stopped renewing: a publish still in flight in a live instance is never published again by
 * anyone, and the rows of an instance that died are published by another once its lease ran out.
 */
@Injectable()
export class OutboxClaims implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxClaims.name);
  private readonly lease: OutboxLease;

  constructor(@Inject(DataSource) db: DataSource, @Inject(INTAKE_CONFIG_TOKEN) config: IntakeConfig) {
    this.lease = new OutboxLease(db, 'intake.outbox_instances', config.OUTBOX_CLAIM_LEASE_MS, (message, error) => this.logger.warn({ message, error: error.message }));
  }

  get instanceId(): string {
    return this.lease.instanceId;
  }

  /** Registered before intake accepts anything: its rows are claimed from the first. */
  async onApplicationBootstrap(): Promise<void> {
    await this.lease.start();
  }

  /** A clean stop gives up the claim at once: what is still unpublished is the relays'. */
  async onModuleDestroy(): Promise<void> {
    await this.lease.stop();
  }

  /** Runs `relay` unless another instance's relay is running (OutboxLease.asTheOnlyRelay). */
  asTheOnlyRelay<T>(relay: () => Promise<T>): Promise<T | undefined> {
    return this.lease.asTheOnlyRelay(relay);
  }

  /** Forgets instances gone for a day (their rows were relayed long since). */
  prune(): Promise<void> {
    return this.lease.prune();
  }
}

/** Claims unpublished rows of one of intake's outboxes (see `claimUnpublishedSql` in @sms/database). */
export function claimUnpublishedSql(table: string, orderBy: string, columns: string): string {
  return claimSql(table, orderBy, columns, 'intake.outbox_instances');
}
