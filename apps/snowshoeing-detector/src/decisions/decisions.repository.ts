import type { Verdict } from '@sms/contracts';
import type { DataSource } from 'typeorm';

/** What the decision stage remembers per message, for a redelivery. */
export interface StoredDecision {
  verdict: Verdict;
  clusterId: string;
  distinctSenders: number;
}

/** A message at one step of its way: its id and the number of verdicts it carried when it came. */
export interface DecisionKey {
  messageId: string;
  verdictsBefore: number;
}

export const decisionKeyText = (k: DecisionKey): string => `${k.messageId}:${k.verdictsBefore}`;

/**
 * The verdicts given, in PostgreSQL (`snowshoe.decisions`): the detector's durable memory of
 * what each message was told. Redis holds the windows, which may be lost (they only summarise
 * the stream); a verdict must not be, or a redelivery would be decided anew against the
 * clusters of that moment and could hold a message already sent. One statement per batch to
 * read, one to write.
 */
export class DecisionsRepository {
  constructor(private readonly db: DataSource) {}

  /** The verdicts already given to these messages, by decisionKeyText. */
  async given(keys: readonly DecisionKey[]): Promise<Map<string, StoredDecision>> {
    const out = new Map<string, StoredDecision>();
    if (keys.length === 0) return out;
    const rows = await this.db.query<{ message_id: string; verdicts_before: number; decision: StoredDecision }[]>(
      `SELECT d.message_id, d.verdicts_before, d.decision
         FROM snowshoe.decisions d
         JOIN unnest($1::uuid[], $2::integer[]) AS k(message_id, verdicts_before) USING (message_id, verdicts_before)`,
      [keys.map((k) => k.messageId), keys.map((k) => k.verdictsBefore)],
    );
    for (const r of rows) out.set(decisionKeyText({ messageId: r.message_id, verdictsBefore: r.verdicts_before }), r.decision);
    return out;
  }

  /**
   * Writes each verdict once and returns what is stored for each key: this batch's verdict, or
   * the one another instance wrote first (a partition moved between instances mid-batch), which
   * is then the one to publish. The first verdict written wins, as the dispatcher's ledger does
   * for sends.
   */
  async record(decisions: ReadonlyMap<string, { key: DecisionKey; decision: StoredDecision }>): Promise<Map<string, StoredDecision>> {
    const out = new Map<string, StoredDecision>();
    if (decisions.size === 0) return out;
    const items = [...decisions.values()];
    // Rows another transaction holds are waited for (ON CONFLICT), so those returned here were
    // written by someone else, committed, and readable by the next statement.
    const taken = await this.db.query<{ message_id: string; verdicts_before: number }[]>(
      `WITH input AS (SELECT * FROM unnest($1::uuid[], $2::integer[], $3::jsonb[]) AS i(message_id, verdicts_before, decision)),
            written AS (INSERT INTO snowshoe.decisions (message_id, verdicts_before, decision)
                        SELECT message_id, verdicts_before, decision FROM input
                        -- In key order: two instances writing the same messages never deadlock.
                        ORDER BY message_id, verdicts_before
                        ON CONFLICT (message_id, verdicts_before) DO NOTHING
                        RETURNING message_id, verdicts_before)
       SELECT message_id, verdicts_before FROM input EXCEPT SELECT message_id, verdicts_before FROM written`,
      [items.map((i) => i.key.messageId), items.map((i) => i.key.verdictsBefore), items.map((i) => JSON.stringify(i.decision))],
    );
    for (const { key, decision } of items) out.set(decisionKeyText(key), decision);
    if (taken.length > 0) {
      const earlier = await this.given(taken.map((t) => ({ messageId: t.message_id, verdictsBefore: t.verdicts_before })));
      for (const [key, decision] of earlier) out.set(key, decision);
    }
    return out;
  }

  /**
   * Forgets verdicts given longer ago than `retentionMs`, a chunk at a time (every instance
   * prunes; each skips the rows another is deleting). Returns how many it deleted.
   */
  async prune(retentionMs: number, chunk = 5_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [, count] = await this.db.query<[unknown[], number]>(
        `DELETE FROM snowshoe.decisions d
          USING (SELECT message_id, verdicts_before FROM snowshoe.decisions
                  WHERE decided_at < now() - make_interval(secs => $1::double precision / 1000)
                  ORDER BY decided_at LIMIT $2 FOR UPDATE SKIP LOCKED) old
          WHERE d.message_id = old.message_id AND d.verdicts_before = old.verdicts_before`,
        [retentionMs, chunk],
      );
      deleted += count;
      if (count < chunk) return deleted;
    }
  }
}
