import type { SnowshoeMeasure } from '@sms/contracts';
import type { SnowshoeRule, SnowshoeRules, WindowSpec } from './rule-data.js';

/**
 * What the detector remembers about one content cluster: a few counters per window and one
 * small entry per sender and tenant seen within the longest window. Its size is bounded by
 * the rule data (senders and tenants tracked, buckets per window, samples), never by how many
 * messages the cluster has had, so memory is bounded by the window, not by history, and the
 * cost of one message does not grow with the traffic in the window. Plain JSON: it is stored
 * as it is (Redis) and read back by any instance.
 */
export interface ClusterState {
  v: 1;
  id: string;
  /** Event time (ms) of the first and the latest message. */
  first: number;
  last: number;
  /** Messages observed, ever: positions in the cluster's sequence, for rotation. */
  seq: number;
  /** Messages per time bucket, per window: a ring of `buckets` counters, `e` the newest bucket index. */
  counts: Record<string, { e: number; b: number[] }>;
  senders: SenderEntry[];
  /** Senders beyond the tracked maximum, within the longest window: they still count as distinct. */
  overflow: number;
  tenants: { t: string; l: number }[];
  /** The latest message ids, as evidence. */
  samples: string[];
  /** Once a rule fires the cluster stays held (or blocked) until it has been quiet for the longest window. */
  stop: StopRecord | null;
}

export interface StopRecord {
  decision: 'hold' | 'block';
  rule: string;
  window: string;
  at: number;
  messageId: string;
}

export interface SenderEntry {
  /** The sender number (or messaging service without a known pool). */
  s: string;
  /** Its tenant. */
  t: string;
  /** First and latest event time in this cluster. */
  f: number;
  l: number;
  /** Messages from it in this cluster since it (re)appeared within the longest window. */
  n: number;
  /** Its latest position in the cluster's sequence. */
  q: number;
  /** SENDER_* flags as of its first message here. */
  flags: number;
}

export const SENDER_REGISTERED = 1;
export const SENDER_IN_CAMPAIGN_POOL = 2;
export const SENDER_NEW = 4;
/** Joined the content after it was established: the pool grew mid-campaign. */
export const SENDER_LATE = 8;

export interface Observation {
  messageId: string;
  tenantId: string;
  sender: string;
  /** Event time, ms. */
  at: number;
  registered: boolean;
  inCampaignPool: boolean;
  newSender: boolean;
  /** When the tenant's number was first seen sending anything (ms). */
  senderSince: number;
}

export type WindowMeasures = Record<SnowshoeMeasure, number> & {
  window: string;
  /** Share of the busiest sender among the window's senders' messages. */
  topShare: number;
};

function longest(windows: readonly WindowSpec[]): number {
  let max = 0;
  for (const w of windows) if (w.ms > max) max = w.ms;
  return max;
}

export function emptyCluster(id: string, at: number): ClusterState {
  return { v: 1, id, first: at, last: at, seq: 0, counts: {}, senders: [], overflow: 0, tenants: [], samples: [], stop: null };
}

/** Adds one message to a cluster's windows (mutates and returns the state). */
export function observe(state: ClusterState, o: Observation, rules: Pick<SnowshoeRules, 'windows' | 'senders'>): ClusterState {
  const horizon = o.at - longest(rules.windows);
  // A cluster quiet for the longest window starts over, including any hold.
  if (state.last < horizon) Object.assign(state, emptyCluster(state.id, o.at));
  state.seq++;
  if (o.at > state.last) state.last = o.at;

  for (const w of rules.windows) {
    const bucketMs = w.ms / w.buckets;
    const index = Math.floor(o.at / bucketMs);
    let ring = state.counts[w.name];
    if (!ring || ring.b.length !== w.buckets) {
      ring = { e: index, b: new Array<number>(w.buckets).fill(0) };
      state.counts[w.name] = ring;
    }
    if (index > ring.e) {
      for (let i = ring.e + 1; i <= Math.min(index, ring.e + w.buckets); i++) ring.b[i % w.buckets] = 0;
      ring.e = index;
    }
    // A late message still counts if its bucket is in the ring.
    if (index > ring.e - w.buckets) ring.b[index % w.buckets]! += 1;
  }

  // Forget senders and tenants that left the longest window.
  if (state.senders.length > 0 && state.senders.some((s) => s.l < horizon)) state.senders = state.senders.filter((s) => s.l >= horizon);
  if (state.tenants.some((t) => t.l < horizon)) state.tenants = state.tenants.filter((t) => t.l >= horizon);
  if (state.senders.length < rules.senders.maxTracked) state.overflow = 0;

  const entry = state.senders.find((s) => s.s === o.sender && s.t === o.tenantId);
  if (entry) {
    entry.n++;
    entry.q = state.seq;
    if (o.at > entry.l) entry.l = o.at;
  } else if (state.senders.length < rules.senders.maxTracked) {
    // An even pool of n numbers shows all of them within a few times n messages: a number that
    // first sends this content long after that, and was not in use before the content began,
    // is one the campaign added.
    const before = state.seq - 1;
    const late = o.senderSince > state.first && before >= Math.max(rules.senders.lateAfterMessages, rules.senders.lateAfterSenderMultiple * (state.senders.length + state.overflow));
    const flags = (o.registered ? SENDER_REGISTERED : 0) | (o.inCampaignPool ? SENDER_IN_CAMPAIGN_POOL : 0) | (o.newSender ? SENDER_NEW : 0) | (late ? SENDER_LATE : 0);
    state.senders.push({ s: o.sender, t: o.tenantId, f: o.at, l: o.at, n: 1, q: state.seq, flags });
  } else {
    state.overflow++;
  }

  const tenant = state.tenants.find((t) => t.t === o.tenantId);
  if (tenant) tenant.l = Math.max(tenant.l, o.at);
  else if (state.tenants.length < rules.senders.maxTenantsTracked) state.tenants.push({ t: o.tenantId, l: o.at });

  state.samples.push(o.messageId);
  if (state.samples.length > rules.senders.samples) state.samples.splice(0, state.samples.length - rules.senders.samples);
  return state;
}

function windowCount(state: ClusterState, window: WindowSpec): number {
  let messages = 0;
  const ring = state.counts[window.name];
  if (ring) for (const c of ring.b) messages += c;
  return messages;
}

/**
 * The content's hourly rate, the highest over its windows: a pool sized for the morning's
 * volume is still justified in a quiet evening hour. Each window's rate is over the time the
 * content has been sent within it, at least `minSpanMs` (a few messages make no rate).
 */
export function peakHourly(state: ClusterState, at: number, data: Pick<SnowshoeRules, 'windows' | 'volume'>): number {
  let peak = 0;
  for (const w of data.windows) {
    const span = Math.max(data.volume.minSpanMs, Math.min(w.ms, at - state.first));
    peak = Math.max(peak, (windowCount(state, w) * 3_600_000) / span);
  }
  return peak;
}

/** The measures of one window, as of event time `at` (the shared ones, from actor markers, are the decision's to add). */
export function measure(state: ClusterState, at: number, window: WindowSpec, data: Pick<SnowshoeRules, 'windows' | 'senders' | 'volume'>): WindowMeasures {
  const { senders, volume } = data;
  const cutoff = at - window.ms;
  let distinct = 0;
  let total = 0;
  let squares = 0;
  let top = 0;
  let retired = 0;
  let fresh = 0;
  let outside = 0;
  let unregistered = 0;
  let late = 0;
  for (const s of state.senders) if (s.l >= cutoff) distinct++;
  // A sender silent for this many of the cluster's messages has been rotated out. An even pool
  // of n senders leaves gaps of about n, so the bar grows with the senders in use.
  const retiredAfter = Math.max(senders.retiredAfterMessages, senders.retiredAfterSenderMultiple * (distinct + state.overflow));
  for (const s of state.senders) {
    if (s.l < cutoff) continue;
    total += s.n;
    squares += s.n * s.n;
    if (s.n > top) top = s.n;
    if (state.seq - s.q >= retiredAfter) retired++;
    if ((s.flags & SENDER_NEW) !== 0) fresh++;
    if ((s.flags & SENDER_LATE) !== 0) late++;
    if ((s.flags & SENDER_REGISTERED) === 0) unregistered++;
    else if ((s.flags & SENDER_IN_CAMPAIGN_POOL) === 0) outside++;
  }
  let tenants = 0;
  for (const t of state.tenants) if (t.l >= cutoff) tenants++;
  const messages = windowCount(state, window);
  // The numbers this volume justifies: an ordinary pool, or as many as its busiest rate needs.
  const justified = Math.max(volume.ordinaryPool, Math.ceil(peakHourly(state, at, data) / volume.perNumberHourly));
  return {
    window: window.name,
    messages,
    distinctSenders: distinct + state.overflow,
    excessSenders: Math.max(0, distinct + state.overflow - justified),
    lateSenders: late,
    // The inverse Simpson index: the number of equally busy senders that would give these shares.
    effectiveSenders: total === 0 ? 0 : (total * total) / squares + state.overflow,
    topShare: total === 0 ? 0 : top / total,
    retiredSenders: retired,
    newSenders: fresh,
    outsideCampaignPool: outside,
    unregisteredSenders: unregistered,
    tenants,
    sharedMessages: 0,
    sharedSenders: 0,
  };
}

export interface Evaluation {
  /** The rule that fired now, if any, with the measures of its window. */
  fired: { rule: SnowshoeRule; measures: WindowMeasures } | null;
  /** Measures of every window, for evidence and the operators' view. */
  windows: WindowMeasures[];
}

/** Checks the rules in order (blocks first in the rule data) against the cluster's windows. */
export function evaluate(
  state: ClusterState,
  at: number,
  rules: readonly SnowshoeRule[],
  data: Pick<SnowshoeRules, 'windows' | 'senders' | 'volume' | 'markers'>,
  shared: Pick<WindowMeasures, 'tenants' | 'sharedMessages' | 'sharedSenders'> | null = null,
): Evaluation {
  const windows = data.windows.map((w) => {
    const m = measure(state, at, w, data);
    // Actor markers are counted over their own window, across tenants.
    if (shared && w.name === data.markers.window) {
      m.tenants = shared.tenants;
      m.sharedMessages = shared.sharedMessages;
      m.sharedSenders = shared.sharedSenders;
    }
    return m;
  });
  for (const rule of rules) {
    const measures = windows.find((w) => w.window === rule.window);
    if (!measures) continue;
    let all = true;
    for (const [name, minimum] of Object.entries(rule.min) as [SnowshoeMeasure, number][]) {
      if (measures[name] < minimum) {
        all = false;
        break;
      }
    }
    if (all) return { fired: { rule, measures }, windows };
  }
  return { fired: null, windows };
}
