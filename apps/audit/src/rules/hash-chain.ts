import { createHash } from 'node:crypto';

/**
 * Tamper evidence (AUP.REPORTING): each tenant's history is one hash chain. Every record
 * carries a sequence number and the SHA-256 of the previous record's hash and its own
 * content, so changing, removing or reordering any record breaks every hash after it.
 */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const GENESIS: ChainHead = { seq: 0, hash: '0'.repeat(64) };

/** JSON with keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function chainHash(previous: string, content: unknown): string {
  return createHash('sha256').update(previous).update('\n').update(canonicalJson(content)).digest('hex');
}

/** Links records onto a chain in order; returns each record's (seq, hash) and the new head. */
export function link<T>(head: ChainHead, contents: T[]): { links: ChainHead[]; head: ChainHead } {
  let current = head;
  const links = contents.map((content) => {
    current = { seq: current.seq + 1, hash: chainHash(current.hash, content) };
    return current;
  });
  return { links, head: current };
}

export type VerifyResult = { ok: true; records: number; head: ChainHead } | { ok: false; records: number; brokenAt: number; reason: string };

/** Walks a chain in sequence order and recomputes every hash. */
export function verifyChain(records: { seq: number; hash: string; content: unknown }[]): VerifyResult {
  let head = GENESIS;
  for (const r of records) {
    if (r.seq !== head.seq + 1) {
      return { ok: false, records: records.length, brokenAt: head.seq + 1, reason: `record ${head.seq + 1} is missing (found ${r.seq} next)` };
    }
    const expected = chainHash(head.hash, r.content);
    if (expected !== r.hash) return { ok: false, records: records.length, brokenAt: r.seq, reason: `record ${r.seq} does not match its hash: changed after it was written` };
    head = { seq: r.seq, hash: r.hash };
  }
  return { ok: true, records: records.length, head };
}
