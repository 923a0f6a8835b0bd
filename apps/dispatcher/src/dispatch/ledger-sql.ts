// SQL pieces the dispatcher's repositories share: written once, so that the statements that
// use them cannot drift apart.

/**
 * The CTE that brings each sender's queue forward to the earliest due time among the rows
 * `source` (a CTE of message_id, sender_key, due_at) returned: how every statement that queues
 * sends tells the claim rounds when to look.
 */
export const wakeQueues = (source: string, filter = '') => `queues AS (
           INSERT INTO dispatcher.send_queues (sender_key, next_at)
           SELECT sender_key, min(due_at) FROM ${source} ${filter} GROUP BY sender_key ORDER BY sender_key
           ON CONFLICT (sender_key) DO UPDATE SET next_at = LEAST(send_queues.next_at, EXCLUDED.next_at))`;

/**
 * The condition (on the sends row `alias`) that no live instance but `by` (a parameter, this
 * instance) holds its claim: claimed before instance leases, by `by` itself, or by an instance
 * whose lease in dispatcher.send_instances ran out.
 */
export const CLAIM_LAPSED = (alias: string, by: string) =>
  `(${alias}.claimed_by IS NULL OR ${alias}.claimed_by = ${by}::uuid
    OR NOT EXISTS (SELECT 1 FROM dispatcher.send_instances i WHERE i.id = ${alias}.claimed_by AND i.alive_until > now()))`;

/** TypeORM answers an UPDATE ... RETURNING with [rows, affected count], a SELECT with the rows. */
export function returned<T>(result: T[] | [T[], number]): T[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : (result as T[]);
}
