import { Periodic } from '@sms/util';
import { randomUUID } from 'node:crypto';
import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';

/**
 * `<schema>.outbox_instances`, the instances alive now: each renews its row while it runs (its
 * OutboxLease). An outbox row claimed by an instance listed here is being published by it and is
 * left alone by every relay; one whose claimant's row lapsed (it died) or that nobody claims is the
 * relay's to publish. A service lists it among its data source's entities, in its own schema.
 */
@Entity({ name: 'outbox_instances' })
export class OutboxInstanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'alive_until', type: 'timestamptz' })
  aliveUntil!: Date;
}

/**
 * An instance's lease over what it claims: a row of `instancesTable` (`id`, `alive_until`) kept
 * alive for `leaseMs` past each renewal, renewed every quarter of it, however long its work
 * takes. What an instance listed there claims is its own; what an instance that stopped renewing
 * claimed is anyone's once its lease ran out. A clean stop gives the lease up at once.
 */
export class InstanceLease {
  readonly instanceId = randomUUID();
  private readonly renewals: Periodic;

  constructor(
    protected readonly db: DataSource,
    /** The instances table, schema-qualified: `intake.outbox_instances`. */
    readonly instancesTable: string,
    private readonly leaseMs: number,
    private readonly warn: (message: string, error: Error) => void,
    /** What is said when a renewal or the giving up fails. */
    private readonly what = 'the lease',
  ) {
    this.renewals = new Periodic(
      Math.max(1, Math.floor(leaseMs / 4)),
      () => this.renew(),
      (error) => warn(`could not renew ${what}; what this instance claims may be taken over once it lapses`, error),
    );
  }

  /** Taken before the instance claims anything: what it claims is its own from the first. */
  async start(): Promise<void> {
    await this.renew();
    this.renewals.start();
  }

  /** A clean stop gives up the lease at once: what is still claimed is the others' to take. */
  async stop(): Promise<void> {
    await this.renewals.stop();
    await this.db
      .query(`UPDATE ${this.instancesTable} SET alive_until = now() WHERE id = $1`, [this.instanceId])
      .catch((error: Error) => this.warn(`could not give up ${this.what}; it lapses by itself`, error));
  }

  /** Forgets instances gone for a day (what they claimed was taken over long since). */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM ${this.instancesTable} WHERE alive_until < now() - interval '1 day'`);
  }

  private async renew(): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.instancesTable} (id, alive_until) VALUES ($1, now() + make_interval(secs => $2::double precision / 1000))
       ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
      [this.instanceId, this.leaseMs],
    );
  }
}

/**
 * A service instance's claim on the outbox rows it publishes. Every row an instance writes is
 * claimed by it (`claimed_by`), and the instance keeps a row in `<schema>.outbox_instances`
 * alive while it runs (its InstanceLease). A relay takes only rows nobody claims or whose
 * claimant stopped renewing: a publish still in flight in a live instance is never published
 * again by anyone, and the rows of an instance that died are published by another (or by itself,
 * restarted) once its lease ran out.
 */
export class OutboxLease extends InstanceLease {
  constructor(db: DataSource, instancesTable: string, leaseMs: number, warn: (message: string, error: Error) => void) {
    super(db, instancesTable, leaseMs, warn, 'the outbox claim');
  }

  /**
   * Runs `relay` if no other instance's relay over this outbox is running, and holds them off
   * until it is done; undefined when another one is. The relays of several instances would
   * otherwise split one person's rows between them (each claim skips the rows another is
   * claiming) and publish them side by side, out of the order they were written in. The lock is
   * a session advisory lock on its own connection: if this instance dies, Postgres drops it with
   * the connection.
   */
  async asTheOnlyRelay<T>(relay: () => Promise<T>): Promise<T | undefined> {
    const session = this.db.createQueryRunner();
    await session.connect();
    try {
      const [{ locked }] = (await session.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [this.instancesTable])) as [{ locked: boolean }];
      if (!locked) return undefined;
      try {
        return await relay();
      } finally {
        await session.query(`SELECT pg_advisory_unlock(hashtext($1))`, [this.instancesTable]);
      }
    } finally {
      await session.release();
    }
  }
}

/**
 * SQL that claims for `$1` (this instance) up to `$2` unpublished rows of `table` (an `id`
 * primary key, `published_at`, `claimed_by`) that nobody live in `instancesTable` claims,
 * oldest first by `orderBy`, and returns `columns` of them in that order. Rows another relay is
 * claiming at the same moment are skipped.
 */
export function claimUnpublishedSql(table: string, orderBy: string, columns: string, instancesTable: string): string {
  return `WITH claimed AS (
      UPDATE ${table} m SET claimed_by = $1
       WHERE m.id IN (
         SELECT o.id FROM ${table} o
          WHERE o.published_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM ${instancesTable} i WHERE i.id = o.claimed_by AND i.alive_until > now())
          ORDER BY o.${orderBy} LIMIT $2
          FOR UPDATE SKIP LOCKED)
      RETURNING m.${orderBy} AS order_by, ${columns
        .split(',')
        .map((c) => `m.${c.trim()}`)
        .join(', ')})
    SELECT ${columns} FROM claimed ORDER BY order_by`;
}
