import type { ClusterState } from '../rules/cluster-window.js';
import type { DetectorView } from '../rules/decide-snowshoe.js';
import type { Fingerprint } from '../rules/fingerprint.js';
import { observeMarker, strongest, type MarkerState, type SharedMeasures } from '../rules/markers.js';
import type { SnowshoeRules } from '../rules/rule-data.js';
import type { Assignment, IndexSettings } from './cluster-assignment.js';

interface Expiring {
  exp: number;
}

/**
 * Maps whose entries expire in stream time. Expiry times are pushed on a queue as they are
 * set; with a time-ordered stream and one TTL per map the queue is in expiry order, so
 * sweeping costs O(1) per entry and memory holds only what is inside the window.
 */
class ExpiringMaps {
  // Three parallel arrays rather than an object per entry: less garbage on the hot path.
  private maps: Map<string | number, Expiring>[] = [];
  private keys: (string | number)[] = [];
  private exps: number[] = [];
  private readonly cleanups = new Map<Map<string | number, Expiring>, (entry: Expiring) => void>();
  private head = 0;

  /** Runs `cleanup` on each entry of `map` that expires (after it is deleted). */
  onExpire(map: Map<string | number, Expiring>, cleanup: (entry: Expiring) => void): void {
    this.cleanups.set(map, cleanup);
  }

  track(map: Map<string | number, Expiring>, key: string | number, exp: number): void {
    this.maps.push(map);
    this.keys.push(key);
    this.exps.push(exp);
  }

  sweep(now: number): void {
    while (this.head < this.exps.length && this.exps[this.head]! <= now) {
      const map = this.maps[this.head]!;
      const key = this.keys[this.head]!;
      this.head++;
      const entry = map.get(key);
      if (entry && entry.exp <= now) {
        map.delete(key);
        this.cleanups.get(map)?.(entry);
      }
    }
    if (this.head > 65_536 && this.head * 2 > this.exps.length) {
      this.maps = this.maps.slice(this.head);
      this.keys = this.keys.slice(this.head);
      this.exps = this.exps.slice(this.head);
      this.head = 0;
    }
  }

  get pending(): number {
    return this.exps.length - this.head;
  }
}

/**
 * The detector's whole state in process memory: for the command line, the evaluation and the
 * benchmark, which run over one time-ordered stream in one process. It implements the same
 * index steps as the Redis store and the same DetectorView, so the decisions are made by the
 * same code.
 */
interface Vocabulary extends Expiring {
  id: string;
  words: Set<number>;
  /** The bands this cluster registered: they live and die with it. */
  bands: number[];
}

export class MemoryStore implements DetectorView {
  private readonly templates = new Map<string, Expiring & { c: string }>();
  /** LSH band -> the cluster that registered it. Values are the clusters' own objects: no allocation per band. */
  private readonly bands = new Map<number, Vocabulary>();
  /** Per cluster: its vocabulary and the bands it registered. */
  private readonly vocabularies = new Map<string, Vocabulary>();
  private readonly clusters = new Map<string, Expiring & { state: ClusterState }>();
  private readonly firstSeen = new Map<string, Expiring & { at: number }>();
  private readonly markers = new Map<string, Expiring & MarkerState>();
  private readonly expiry = new ExpiringMaps();
  private now = 0;

  constructor(
    private readonly index: IndexSettings,
    /** How long a sender's first sighting is remembered while it keeps sending. */
    private readonly senderTtlMs: number,
  ) {
    this.expiry.onExpire(this.vocabularies, (entry) => {
      const vocabulary = entry as Vocabulary;
      for (const band of vocabulary.bands) if (this.bands.get(band) === vocabulary) this.bands.delete(band);
    });
  }

  /** Moves stream time forward and forgets what left the window. */
  advance(at: number): void {
    if (at > this.now) this.now = at;
    this.expiry.sweep(this.now);
  }

  async assign(fingerprints: readonly Fingerprint[], at: number): Promise<Assignment[]> {
    return fingerprints.map((f) => this.assignOne(f, at));
  }

  assignOne(fp: Fingerprint, at: number): Assignment {
    this.advance(at);
    const exp = at + this.index.ttlMs;
    const known = this.templates.get(fp.template);
    let assignment: Assignment;
    if (known) {
      assignment = { clusterId: known.c, match: 'template' };
      this.refresh(this.templates, fp.template, exp);
    } else {
      let best: string | null = null;
      let bestScore = -1;
      const tokens = fp.tokens();
      if (tokens.length > 0) {
        const seen = new Set<string>();
        for (const band of fp.bands()) {
          const owner = this.bands.get(band);
          if (owner === undefined || seen.has(owner.id)) continue;
          const candidate = owner.id;
          seen.add(candidate);
          const words = owner.words;
          let hits = 0;
          for (const t of tokens) if (words.has(t)) hits++;
          // Integer per-mille, exactly as the Redis script computes it.
          const score = Math.floor((hits * 1000) / tokens.length);
          if (score > bestScore) [best, bestScore] = [candidate, score];
        }
      }
      assignment =
        best !== null && bestScore >= Math.round(this.index.containment * 1000) ? { clusterId: best, match: 'near_duplicate', similarity: bestScore / 1000 } : { clusterId: fp.template, match: 'new' };
      if (tokens.length > 0) {
        let vocabulary = this.vocabularies.get(assignment.clusterId);
        if (!vocabulary) {
          vocabulary = { id: assignment.clusterId, words: new Set<number>(), bands: [], exp };
          this.vocabularies.set(vocabulary.id, vocabulary);
          this.expiry.track(this.vocabularies, vocabulary.id, exp);
        }
        if (vocabulary.words.size < this.index.vocabulary) for (const t of tokens) vocabulary.words.add(t);
        if (vocabulary.bands.length < this.index.bandsPerCluster) {
          for (const band of fp.bands()) {
            if (this.bands.has(band)) continue;
            this.bands.set(band, vocabulary);
            vocabulary.bands.push(band);
          }
        }
      }
      this.set(this.templates, fp.template, { c: assignment.clusterId }, exp);
    }
    this.refreshCluster(assignment.clusterId, exp);
    return assignment;
  }

  cluster(id: string): ClusterState | undefined {
    return this.clusters.get(id)?.state;
  }

  putCluster(state: ClusterState): void {
    const exp = state.last + this.index.ttlMs;
    const entry = this.clusters.get(state.id);
    if (entry) {
      entry.state = state;
      this.refresh(this.clusters, state.id, exp);
    } else this.set(this.clusters, state.id, { state }, exp);
  }

  senderFirstSeen(key: string): number | undefined {
    const entry = this.firstSeen.get(key);
    if (entry) this.refresh(this.firstSeen, key, this.now + this.senderTtlMs);
    return entry?.at;
  }

  putSenderFirstSeen(key: string, at: number): void {
    if (!this.firstSeen.has(key)) this.set(this.firstSeen, key, { at }, at + this.senderTtlMs);
  }

  /** Counts a message into its actor markers (across tenants) and measures the strongest. */
  observeMarkers(markers: readonly string[], tenant: string, sender: string, at: number, data: Pick<SnowshoeRules, 'markers' | 'windows'>): SharedMeasures {
    if (markers.length === 0) return strongest([]);
    const windowMs = data.windows.find((w) => w.name === data.markers.window)!.ms;
    return strongest(
      markers.map((marker) => {
        let state = this.markers.get(marker);
        if (!state) {
          state = { tenants: new Map(), senders: new Map(), exp: 0 };
          this.markers.set(marker, state);
        }
        const measured = observeMarker(state, tenant, sender, at, windowMs, data.markers);
        if (state.exp < at + windowMs / 2) {
          state.exp = at + windowMs;
          this.expiry.track(this.markers, marker, state.exp);
        }
        return { marker, ...measured };
      }),
    );
  }

  /** Every cluster in the window (for the operators' view). */
  allClusters(): ClusterState[] {
    return [...this.clusters.values()].map((e) => e.state);
  }

  /** Entries held, by kind: what the benchmark reports as memory. */
  sizes(): Record<string, number> {
    return {
      templates: this.templates.size,
      bands: this.bands.size,
      vocabularies: this.vocabularies.size,
      clusters: this.clusters.size,
      senders: this.firstSeen.size,
      markers: this.markers.size,
      expiryQueue: this.expiry.pending,
    };
  }

  private set<K extends string | number, V extends Expiring>(map: Map<K, V>, key: K, value: Omit<V, 'exp'>, exp: number): void {
    map.set(key, { ...value, exp } as V);
    this.expiry.track(map, key, exp);
  }

  /** Extends an entry's life, re-queuing it only when half its life is gone (bounded queue). */
  private refresh<K extends string | number>(map: Map<K, Expiring>, key: K, exp: number): void {
    const entry = map.get(key);
    if (!entry) return;
    const half = (exp - this.now) / 2;
    if (entry.exp - this.now < half) {
      entry.exp = exp;
      this.expiry.track(map, key, exp);
    }
  }

  private refreshCluster(clusterId: string, exp: number): void {
    // The cluster's bands share its life: refreshing its vocabulary refreshes them.
    this.refresh(this.vocabularies, clusterId, exp);
  }
}
