// What the database did for the pipeline, from PostgreSQL's cumulative statistics: rows each
// schema (each service owns one) inserted, updated (and how many of those updates were HOT:
// written beside the old version without touching any index) and deleted, and the
// transactions committed.
// Per message these are counts, not speeds: they do not move with a noisy neighbour.
import pg from 'pg';
import { processCpuSeconds } from './cpu-usage.js';

export interface DbSample {
  /** Rows inserted, updated (of them HOT) and deleted by table ("schema.table"). */
  tables: Record<string, Counts>;
  /** Transactions committed in the stack's database (every service's). */
  commits: number;
  /** CPU seconds of each connection's server process seen so far (the last reading of those gone), by pid, with the service it serves (its application name). */
  backends: Record<number, { service: string; cpuSeconds: number }>;
}

interface Counts {
  inserted: number;
  updated: number;
  /** Updates that were heap-only (HOT): no index entry written, the row's page kept. */
  hotUpdated: number;
  deleted: number;
}

export interface DbWindow {
  messages: number;
  commitsPerMessage: number;
  /** PostgreSQL's CPU milliseconds per message spent serving each service's connections. */
  backendMsPerMessage: Record<string, number>;
  /** Per schema, then per table of it: rows written per message. */
  bySchema: (Counts & { schema: string; tables: (Counts & { table: string })[] })[];
}

/**
 * Watches the database: its cumulative statistics, and the CPU of each connection's server
 * process, read once a second, so that a connection a pool closed within a window still counts
 * what it did until then.
 */
export class DbWatch {
  private readonly backends = new Map<number, { service: string; cpuSeconds: number }>();
  private polling: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly client: pg.Client) {}

  static async start(databaseUrl: string): Promise<DbWatch> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const watch = new DbWatch(client);
    await watch.poll();
    // A reading missed (the database busy) is made up by the next one.
    watch.timer = setInterval(() => void watch.poll().catch(() => undefined), 1_000);
    return watch;
  }

  private poll(): Promise<void> {
    this.polling = this.polling
      .catch(() => undefined)
      .then(async () => {
        const connections = await this.client.query<{ pid: number; service: string }>(
          `SELECT pid, application_name AS service FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        for (const c of connections.rows) {
          const cpuSeconds = processCpuSeconds(c.pid);
          if (cpuSeconds !== undefined) this.backends.set(c.pid, { service: c.service || '(unnamed)', cpuSeconds });
        }
      });
    return this.polling;
  }

  /**
   * Samples the statistics. A backend reports its counts when it goes idle, at most once a
   * second: sampled once the stack has been idle for a second, a window holds all its writes.
   */
  async sample(): Promise<DbSample> {
    await this.poll();
    const tables = await this.client.query<{ name: string; inserted: string; updated: string; hot_updated: string; deleted: string }>(
      `SELECT schemaname || '.' || relname AS name, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot_updated, n_tup_del AS deleted FROM pg_stat_user_tables`,
    );
    const [db] = (await this.client.query<{ commits: string }>(`SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()`)).rows;
    return {
      tables: Object.fromEntries(tables.rows.map((r) => [r.name, { inserted: Number(r.inserted), updated: Number(r.updated), hotUpdated: Number(r.hot_updated), deleted: Number(r.deleted) }])),
      commits: Number(db?.commits ?? 0),
      backends: Object.fromEntries(this.backends),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling.catch(() => undefined);
    await this.client.end();
  }
}

const perMessage = (n: number, messages: number): number => (messages > 0 ? Number((n / messages).toFixed(2)) : NaN);

/** What the window between two samples wrote, per message handled in it. */
export function dbBetween(before: DbSample, after: DbSample, messages: number): DbWindow {
  const schemas = new Map<string, DbWindow['bySchema'][number]>();
  for (const [name, end] of Object.entries(after.tables)) {
    const start = before.tables[name] ?? { inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 };
    const [schema, table] = name.split('.') as [string, string];
    const row = {
      table,
      inserted: end.inserted - start.inserted,
      updated: end.updated - start.updated,
      hotUpdated: end.hotUpdated - start.hotUpdated,
      deleted: end.deleted - start.deleted,
    };
    if (row.inserted + row.updated + row.deleted === 0) continue;
    const entry = schemas.get(schema) ?? schemas.set(schema, { schema, inserted: 0, updated: 0, hotUpdated: 0, deleted: 0, tables: [] }).get(schema)!;
    entry.inserted += row.inserted;
    entry.updated += row.updated;
    entry.hotUpdated += row.hotUpdated;
    entry.deleted += row.deleted;
    entry.tables.push(row);
  }
  const scaled = <T extends Counts>(r: T): T => ({
    ...r,
    inserted: perMessage(r.inserted, messages),
    updated: perMessage(r.updated, messages),
    hotUpdated: perMessage(r.hotUpdated, messages),
    deleted: perMessage(r.deleted, messages),
  });
  const backendSeconds = new Map<string, number>();
  for (const [pid, end] of Object.entries(after.backends)) {
    const start = before.backends[Number(pid)];
    backendSeconds.set(end.service, (backendSeconds.get(end.service) ?? 0) + end.cpuSeconds - (start?.service === end.service ? start.cpuSeconds : 0));
  }
  return {
    messages,
    commitsPerMessage: perMessage(after.commits - before.commits, messages),
    backendMsPerMessage: Object.fromEntries([...backendSeconds].sort((a, b) => b[1] - a[1]).map(([service, s]) => [service, perMessage(s * 1000, messages)])),
    bySchema: [...schemas.values()]
      .map((s) => ({ ...scaled(s), tables: s.tables.map(scaled).sort((a, b) => b.inserted + b.updated - (a.inserted + a.updated)) }))
      .sort((a, b) => b.inserted + b.updated - (a.inserted + a.updated)),
  };
}
