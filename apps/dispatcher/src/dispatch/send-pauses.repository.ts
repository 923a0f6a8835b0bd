import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACCOUNT_SCOPE, type PauseState } from '../rules/send-pauses.js';
import { returned } from './ledger-sql.js';

/** A pause of the account or of a sender, as stored. */
export interface StoredPause {
  scope: string;
  code: number;
  reason: string;
  since: Date;
  until: Date | null;
  hits: number;
}

/** A stored pause read with the database's clock. */
interface SendPauseRaw extends StoredPause {
  now: Date;
}

const toPause = (r: SendPauseRaw): StoredPause => ({ scope: r.scope, code: r.code, reason: r.reason, since: r.since, until: r.until, hits: r.hits });

/** Pauses of the account or a sender (dispatcher.send_pauses), and the queue behind them. */
@Injectable()
export class SendPausesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * Records that Twilio's answer pauses a scope ("account" or a sender key), in one transaction
   * on the scope's row: `decide` turns the stored pause (null when none) into the one to keep.
   * Returns it, and whether it started here.
   */
  async pause(scope: string, code: number, reason: string, decide: (stored: PauseState | null, nowMs: number) => PauseState & { started: boolean }): Promise<StoredPause & { started: boolean }> {
    return this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO dispatcher.send_pauses (scope, code, reason, since, until, hits, updated_at) VALUES ($1, $2, $3, now(), now(), 0, now()) ON CONFLICT (scope) DO NOTHING`, [
        scope,
        code,
        reason,
      ]);
      const [row]: SendPauseRaw[] = await tx.query(`SELECT *, clock_timestamp() AS now FROM dispatcher.send_pauses WHERE scope = $1 FOR UPDATE`, [scope]);
      const nowMs = row!.now.getTime();
      // A row just inserted ends as it starts: no pause was stored.
      const stored = row!.hits === 0 ? null : { untilMs: row!.until?.getTime() ?? null, sinceMs: row!.since.getTime(), hits: row!.hits };
      const next = decide(stored, nowMs);
      if (!next.started) return { ...toPause(row!), started: false };
      const [written]: SendPauseRaw[] = returned(
        await tx.query(`UPDATE dispatcher.send_pauses SET code = $2, reason = $3, since = $4, until = $5, hits = $6, updated_at = now() WHERE scope = $1 RETURNING *`, [
          scope,
          code,
          reason,
          new Date(next.sinceMs),
          next.untilMs === null ? null : new Date(next.untilMs),
          next.hits,
        ]),
      );
      return { ...toPause(written!), started: true };
    });
  }

  /** Pauses in force now (ended ones are left out). */
  async activePauses(): Promise<StoredPause[]> {
    const rows: SendPauseRaw[] = await this.db.query(`SELECT * FROM dispatcher.send_pauses WHERE hits > 0 AND (until IS NULL OR until > now()) ORDER BY since`);
    return rows.map(toPause);
  }

  /**
   * Ends a pause (an operator cleared it): its senders are looked at again at once. Returns the
   * pause ended, or null when none was in force for that scope.
   */
  async clearPause(scope: string): Promise<StoredPause | null> {
    return this.db.transaction(async (tx) => {
      const rows = returned<SendPauseRaw>(await tx.query(`DELETE FROM dispatcher.send_pauses WHERE scope = $1 AND hits > 0 AND (until IS NULL OR until > now()) RETURNING *`, [scope]));
      if (rows.length === 0) return null;
      await tx.query(`UPDATE dispatcher.send_queues SET next_at = now() WHERE ($1 = $2 OR sender_key = $1) AND next_at < 'infinity'`, [scope, ACCOUNT_SCOPE]);
      return toPause(rows[0]!);
    });
  }

  /** Messages waiting in the queue per tenant (for alerts about the whole account) and of one sender. */
  async waiting(scope: string): Promise<Map<string, number>> {
    const rows: { tenant_id: string; n: string }[] = await this.db.query(
      `SELECT tenant_id, count(*) AS n FROM dispatcher.sends WHERE state = 'queued' AND ($1 = $2 OR sender_key = $1) GROUP BY tenant_id ORDER BY tenant_id`,
      [scope, ACCOUNT_SCOPE],
    );
    return new Map(rows.map((r) => [r.tenant_id, Number(r.n)]));
  }
}
