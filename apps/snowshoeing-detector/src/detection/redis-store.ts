import type { Redis } from 'ioredis';
import type { ClusterState } from '../rules/cluster-window.js';
import type { DetectorView } from '../rules/decide-snowshoe.js';
import { bandKeyText, type Fingerprint } from '../rules/fingerprint.js';
import { NO_SHARED, strongest, type SharedMeasures } from '../rules/markers.js';
import type { SnowshoeRules } from '../rules/rule-data.js';
import { indexSettings, type Assignment, type ClusterIndex, type IndexSettings } from './cluster-assignment.js';

/**
 * The detector's state in Redis, shared by every instance.
 *
 * Why Redis: the cluster index must be shared (a message's cluster is unknown until the index
 * is asked, so it cannot be partitioned by cluster) and updated atomically by any instance;
 * one Lua script per message does that in one step, and a batch takes two round trips. Windows
 * need expiry, which Redis does per key (PX), so memory is bounded by the window without a
 * sweeper. PostgreSQL would need a lock or a serialisable transaction per assignment and a
 * job deleting expired rows; a compacted Kafka changelog cannot serve a shared index at all.
 * Durability is Redis's: run it with appendonly (AOF) where a Redis restart must not forget
 * the windows; a detector restart loses nothing either way. The verdicts given are not here but
 * in PostgreSQL (DecisionsRepository): a window forgotten changes later decisions, a verdict
 * forgotten would let a redelivered message be decided twice.
 *
 * Keys (all under the prefix, which includes the Kafka cluster id: state belongs to the
 * stream it summarises, and a fresh broker, as in every test run, starts fresh state):
 *   t:<template>   cluster of a template fingerprint           (longest window)
 *   b:<band>       cluster that registered an LSH band           (longest window)
 *   v:<cluster>    the cluster's vocabulary (set of word hashes) (longest window)
 *   o:<cluster>    the band keys the cluster registered (set)    (longest window)
 *   c:<cluster>    the cluster's window state (JSON)             (longest window after its last message)
 *   f:<tenant>|<sender>  when a sender was first seen             (refreshed while it sends)
 *   m:<marker>     an actor marker's tenants and senders (hash)  (the markers' window, refreshed while in use)
 *   active         sorted set of clusters by last message        (trimmed to the longest window)
 * The script reads keys it computes (v:, o:), so it needs a single Redis, not Redis Cluster.
 */
const ASSIGN_LUA = `
local ttl = tonumber(ARGV[4])
local prefix = ARGV[5]
local tokens = {}
for t in string.gmatch(ARGV[1], '%S+') do tokens[#tokens + 1] = t end
local c = redis.call('GET', KEYS[1])
local match = 'template'
local score = -1
-- Called without bands for a template seen known a moment ago: if it expired since, ask again with them.
if not c and ARGV[8] == 'known' then return {'', 'retry', -1} end
if c then
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  if #tokens > 0 then
    local best = nil
    local seen = {}
    for i = 2, #KEYS do
      local candidate = redis.call('GET', KEYS[i])
      if candidate and not seen[candidate] then
        seen[candidate] = true
        local hits = redis.call('SMISMEMBER', prefix .. 'v:' .. candidate, unpack(tokens))
        local n = 0
        for _, h in ipairs(hits) do n = n + h end
        local s = math.floor(n * 1000 / #tokens)
        if s > score then best = candidate; score = s end
      end
    end
    if best and score >= tonumber(ARGV[2]) then
      c = best
      match = 'near_duplicate'
    end
  end
  if not c then
    c = ARGV[3]
    match = 'new'
    score = -1
  end
  if #tokens > 0 then
    local vocabulary = prefix .. 'v:' .. c
    if redis.call('SCARD', vocabulary) < tonumber(ARGV[6]) then
      redis.call('SADD', vocabulary, unpack(tokens))
      redis.call('PEXPIRE', vocabulary, ttl)
    end
    local owned = prefix .. 'o:' .. c
    if redis.call('SCARD', owned) < tonumber(ARGV[7]) then
      for i = 2, #KEYS do
        if redis.call('SET', KEYS[i], c, 'NX', 'PX', ttl) then redis.call('SADD', owned, KEYS[i]) end
      end
      redis.call('PEXPIRE', owned, ttl)
    end
  end
  redis.call('SET', KEYS[1], c, 'PX', ttl)
end
local vocabulary = prefix .. 'v:' .. c
local left = redis.call('PTTL', vocabulary)
if left > 0 and left < ttl / 2 then
  redis.call('PEXPIRE', vocabulary, ttl)
  local owned = prefix .. 'o:' .. c
  redis.call('PEXPIRE', owned, ttl)
  for _, key in ipairs(redis.call('SMEMBERS', owned)) do
    if redis.call('GET', key) == c then redis.call('PEXPIRE', key, ttl) end
  end
end
return {c, match, score}
`;

/**
 * One message counted into one actor marker, atomically across instances (markers link
 * tenants, whose messages different instances decide). The same steps as observeMarker in
 * rules/markers.ts: per tenant its last time and messages within the window ("l:n"), per sender
 * its last time; entries that left the window are dropped; the counts as of the message.
 * KEYS[1] m:<marker>; ARGV tenant, sender, at, window ms, max tenants, max senders.
 */
const MARKER_LUA = `
local at = tonumber(ARGV[3])
local horizon = at - tonumber(ARGV[4])
local tf = 't|' .. ARGV[1]
local sf = 's|' .. ARGV[2]
local all = redis.call('HGETALL', KEYS[1])
local tenants, senders, messages = 0, 0, 0
local seenTenant, seenSender = false, false
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  local kind = string.sub(field, 1, 2)
  if kind == 't|' then
    local l, n = string.match(value, '^(%d+):(%d+)$')
    l = tonumber(l)
    n = tonumber(n)
    if field == tf then
      seenTenant = true
      if l >= horizon then n = n + 1 else n = 1 end
      if at > l then l = at end
      redis.call('HSET', KEYS[1], tf, l .. ':' .. n)
    end
    if l < horizon then redis.call('HDEL', KEYS[1], field) else tenants = tenants + 1; messages = messages + n end
  else
    local l = tonumber(value)
    if field == sf then
      seenSender = true
      if at > l then l = at; redis.call('HSET', KEYS[1], sf, l) end
    end
    if l < horizon then redis.call('HDEL', KEYS[1], field) else senders = senders + 1 end
  end
end
if not seenTenant and tenants < tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], tf, at .. ':1')
  tenants = tenants + 1
  messages = messages + 1
end
if not seenSender and senders < tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], sf, at)
  senders = senders + 1
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[4]) / 2 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4])) end
return {tenants, messages, senders}
`;

/** One message's actor markers, as the decision stage counts them. */
export interface MarkerSighting {
  markers: readonly string[];
  tenant: string;
  sender: string;
  at: number;
}

export interface RedisStoreSettings extends IndexSettings {
  /** The markers' window, and how many tenants and senders a marker remembers. */
  markers: { windowMs: number; maxTenants: number; maxSenders: number };
  /** How long a sender's first sighting is remembered while it keeps sending. */
  senderTtlMs: number;
}

/** The store's settings from the rule data: entries live for the longest window. */
export function redisStoreSettings(data: SnowshoeRules): RedisStoreSettings {
  const longest = Math.max(...data.windows.map((w) => w.ms));
  return {
    ...indexSettings(data.similarity, longest),
    markers: { windowMs: data.windows.find((w) => w.name === data.markers.window)!.ms, maxTenants: data.markers.maxTenants, maxSenders: data.markers.maxSenders },
    senderTtlMs: Math.max(longest, data.senders.newForMs),
  };
}

/** One batch's slice of the state: loaded in one round trip, decided on, saved in one. */
export class RedisBatchView implements DetectorView {
  readonly changedClusters = new Map<string, ClusterState>();
  readonly newSenders = new Map<string, number>();
  /** Senders that sent in this batch: their first sighting is kept while they keep sending. */
  readonly touchedSenders = new Set<string>();

  constructor(
    private readonly clusters: Map<string, ClusterState>,
    private readonly senders: Map<string, number>,
  ) {}

  cluster(id: string): ClusterState | undefined {
    return this.clusters.get(id);
  }

  putCluster(state: ClusterState): void {
    this.clusters.set(state.id, state);
    this.changedClusters.set(state.id, state);
  }

  senderFirstSeen(key: string): number | undefined {
    this.touchedSenders.add(key);
    return this.senders.get(key);
  }

  putSenderFirstSeen(key: string, at: number): void {
    this.senders.set(key, at);
    this.newSenders.set(key, at);
  }
}

export class RedisStore implements ClusterIndex {
  private sha: string | null = null;
  private markerSha: string | null = null;

  constructor(
    private readonly redis: Redis,
    /** Key prefix, ending in ":". */
    readonly prefix: string,
    private readonly settings: RedisStoreSettings,
  ) {}

  async assign(fingerprints: readonly Fingerprint[], _at: number): Promise<Assignment[]> {
    if (fingerprints.length === 0) return [];
    try {
      return await this.runAssign(fingerprints);
    } catch (error) {
      // Redis restarted and forgot the script: load it again once.
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      this.sha = null;
      return this.runAssign(fingerprints);
    }
  }

  private async runAssign(fingerprints: readonly Fingerprint[]): Promise<Assignment[]> {
    this.sha ??= (await this.redis.script('LOAD', ASSIGN_LUA)) as string;
    // Most messages repeat a known template: one MGET finds them, and only the others send
    // their content words and bands to the script (the bulk of the bytes).
    const known = await this.redis.mget(...fingerprints.map((f) => `${this.prefix}t:${f.template}`));
    const results = await this.evaluate(fingerprints.map((f, i) => ({ f, full: known[i] === null })));
    const retry = results.flatMap((r, i) => (r.match === 'retry' ? [i] : []));
    if (retry.length > 0) {
      const again = await this.evaluate(retry.map((i) => ({ f: fingerprints[i]!, full: true })));
      retry.forEach((i, k) => (results[i] = again[k]!));
    }
    return results.map(({ clusterId, match, score }) => (match === 'near_duplicate' ? { clusterId, match, similarity: score / 1000 } : { clusterId, match: match === 'new' ? 'new' : 'template' }));
  }

  private async evaluate(calls: { f: Fingerprint; full: boolean }[]): Promise<{ clusterId: string; match: Assignment['match'] | 'retry'; score: number }[]> {
    const p = this.prefix;
    const containment = String(Math.round(this.settings.containment * 1000));
    const ttl = String(this.settings.ttlMs);
    const vocabulary = String(this.settings.vocabulary);
    const bandsPerCluster = String(this.settings.bandsPerCluster);
    const pipeline = this.redis.pipeline();
    for (const { f, full } of calls) {
      const keys = [`${p}t:${f.template}`, ...(full ? f.bands().map((b) => `${p}b:${bandKeyText(b)}`) : [])];
      const tokens = full
        ? f
            .tokens()
            .map((t) => t.toString(36))
            .join(' ')
        : '';
      pipeline.evalsha(this.sha!, keys.length, ...keys, tokens, containment, f.template, ttl, p, vocabulary, bandsPerCluster, full ? 'full' : 'known');
    }
    const results = (await pipeline.exec()) ?? [];
    if (results.length !== calls.length) throw new Error(`${results.length} assignment results for ${calls.length} messages`);
    return results.map(([error, value]) => {
      if (error) throw error;
      const [clusterId, match, score] = value as [string, Assignment['match'] | 'retry', number];
      return { clusterId, match, score };
    });
  }

  /**
   * Counts each message into its actor markers, in order, and gives each message the measures
   * of its strongest marker. Run before a batch is decided, for messages not decided before.
   */
  async observeMarkers(sightings: readonly MarkerSighting[]): Promise<SharedMeasures[]> {
    const calls = sightings.flatMap((s, i) => s.markers.map((marker) => ({ i, marker, s })));
    if (calls.length === 0) return sightings.map(() => NO_SHARED);
    const run = async (): Promise<SharedMeasures[]> => {
      this.markerSha ??= (await this.redis.script('LOAD', MARKER_LUA)) as string;
      const { windowMs, maxTenants, maxSenders } = this.settings.markers;
      const pipeline = this.redis.pipeline();
      for (const { marker, s } of calls) {
        pipeline.evalsha(this.markerSha, 1, `${this.prefix}m:${marker}`, s.tenant, s.sender, String(s.at), String(windowMs), String(maxTenants), String(maxSenders));
      }
      const results = (await pipeline.exec()) ?? [];
      const measured: (Omit<SharedMeasures, 'marker'> & { marker: string })[][] = sightings.map(() => []);
      results.forEach(([error, value], k) => {
        if (error) throw error;
        const [tenants, sharedMessages, sharedSenders] = value as [number, number, number];
        measured[calls[k]!.i]!.push({ marker: calls[k]!.marker, tenants, sharedMessages, sharedSenders });
      });
      return measured.map(strongest);
    };
    try {
      return await run();
    } catch (error) {
      // Redis restarted and forgot the script: load it again once.
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      this.markerSha = null;
      return run();
    }
  }

  /** Loads what a batch's decisions read: cluster states and senders' first sightings, in one round trip. */
  async load(clusterIds: readonly string[], senderKeys: readonly string[]): Promise<RedisBatchView> {
    const p = this.prefix;
    const clusters = [...new Set(clusterIds)];
    const senders = [...new Set(senderKeys)];
    const pipeline = this.redis.pipeline();
    if (clusters.length > 0) pipeline.mget(...clusters.map((c) => `${p}c:${c}`));
    if (senders.length > 0) pipeline.mget(...senders.map((s) => `${p}f:${s}`));
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    const values = results.map(([, v]) => v as (string | null)[]);
    const states = clusters.length > 0 ? values.shift()! : [];
    const seen = senders.length > 0 ? values.shift()! : [];
    const stateMap = new Map<string, ClusterState>();
    clusters.forEach((c, i) => {
      const raw = states[i];
      if (raw) stateMap.set(c, JSON.parse(raw) as ClusterState);
    });
    const senderMap = new Map<string, number>();
    senders.forEach((s, i) => {
      const raw = seen[i];
      if (raw) senderMap.set(s, Number(raw));
    });
    return new RedisBatchView(stateMap, senderMap);
  }

  /** Saves a batch's changes in one transaction, before its outputs are published. */
  async save(view: RedisBatchView, now: number): Promise<void> {
    const p = this.prefix;
    const { ttlMs, senderTtlMs } = this.settings;
    const tx = this.redis.multi();
    for (const state of view.changedClusters.values()) {
      // Live for the longest window after the cluster's last message (event time), at least a minute.
      const ttl = Math.max(60_000, Math.min(ttlMs, state.last + ttlMs - now));
      tx.set(`${p}c:${state.id}`, JSON.stringify(state), 'PX', ttl);
      tx.zadd(`${p}active`, state.last, state.id);
    }
    for (const [key, at] of view.newSenders) tx.set(`${p}f:${key}`, String(at), 'PX', senderTtlMs, 'NX');
    for (const key of view.touchedSenders) if (!view.newSenders.has(key)) tx.pexpire(`${p}f:${key}`, senderTtlMs);
    tx.zremrangebyscore(`${p}active`, '-inf', now - ttlMs);
    const results = await tx.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  /** The most recently active clusters, newest first (operators' view). */
  async recentClusters(limit: number): Promise<ClusterState[]> {
    const ids = await this.redis.zrevrange(`${this.prefix}active`, 0, Math.max(0, limit - 1));
    return this.clusterStates(ids);
  }

  async clusterStates(ids: readonly string[]): Promise<ClusterState[]> {
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(...ids.map((id) => `${this.prefix}c:${id}`));
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as ClusterState);
  }

  async activeClusterCount(): Promise<number> {
    return this.redis.zcard(`${this.prefix}active`);
  }

  /** Deletes every key under the prefix (tests clean up after themselves with it). */
  async deleteAll(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await this.redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }
}
