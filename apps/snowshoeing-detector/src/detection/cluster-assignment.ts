import type { ClusteredMessageEvent } from '@sms/contracts';
import type { Fingerprint } from '../rules/fingerprint.js';

/** Which cluster a message's content belongs to, as stage one of the detector finds it. */
export type Assignment = Pick<ClusteredMessageEvent, 'clusterId' | 'match' | 'similarity'>;

/**
 * The content-cluster index, shared by every instance: template fingerprint -> cluster, LSH
 * band -> cluster, cluster -> its vocabulary (content-word hashes). Every implementation
 * follows the same steps (the Redis one in one Lua script, so they are atomic across
 * instances):
 *
 * 1. the message's template is known: its cluster;
 * 2. else, with content words: every cluster sharing an LSH band is a candidate; the one
 *    that has already used the largest share of the message's words wins if that share is at
 *    least `containment` (a band collision alone never merges two clusters);
 * 3. else a new cluster whose id is the template fingerprint (deterministic: a restarted or
 *    second instance names it the same).
 * The message's words join the cluster's vocabulary and its bands are registered for the
 * cluster (each up to a cap), and its template is remembered. Entries live for the longest
 * window and are refreshed while the cluster is in use.
 */
export interface ClusterIndex {
  assign(fingerprints: readonly Fingerprint[], at: number): Promise<Assignment[]>;
}

export interface IndexSettings {
  /** Least share of a message's content words the cluster has used, for a near-duplicate. */
  containment: number;
  vocabulary: number;
  bandsPerCluster: number;
  /** How long entries live unused (the longest window). */
  ttlMs: number;
}

/** The settings of the index from the rule data. */
export function indexSettings(similarity: { containment: number; vocabulary: number; bandsPerCluster: number }, ttlMs: number): IndexSettings {
  return { containment: similarity.containment, vocabulary: similarity.vocabulary, bandsPerCluster: similarity.bandsPerCluster, ttlMs };
}
