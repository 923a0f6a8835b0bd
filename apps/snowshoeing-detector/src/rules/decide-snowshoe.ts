import { messagingServiceNumbers, type ClusteredMessageEvent, type Facts, type SnowshoeOverrides, type TenantConfigEvent, type Verdict } from '@sms/contracts';
import { emptyCluster, evaluate, observe, type ClusterState, type StopRecord, type WindowMeasures } from './cluster-window.js';
import { hash32, templateHash } from './fingerprint.js';
import { NO_SHARED, type SharedMeasures } from './markers.js';
import type { SnowshoeRule, SnowshoeRules } from './rule-data.js';
import { checkSenderPool } from './sender-pool.js';

/**
 * The state one decision reads and writes. The detector's stores (in memory for the command
 * line, the evaluation and the benchmark; Redis for the service) load what a batch needs into
 * such a view, the decisions run on it one message at a time, and the store saves it.
 */
export interface DetectorView {
  cluster(id: string): ClusterState | undefined;
  putCluster(state: ClusterState): void;
  /** When a tenant's sender number was first seen (ms), or undefined. */
  senderFirstSeen(key: string): number | undefined;
  putSenderFirstSeen(key: string, at: number): void;
}

/** How the detector knows which senders are registered. */
export type SenderRegistry =
  /** The tenant directory: a sender outside the tenant's pool is blocked (the service). */
  | 'tenants'
  /** No registry (a bare stream on the command line): every sender counts as registered. */
  | 'unknown';

export interface Decision {
  verdict: Verdict;
  /** The sending identity's cluster: the tenant's campaign's messages of one content cluster. */
  clusterId: string;
  /** Distinct senders of the cluster over the longest window. */
  distinctSenders: number;
  windows: WindowMeasures[];
  /** Set when this message moved the cluster into hold or block: raise an alert. */
  alert: (StopRecord & { clusterId: string; measures: WindowMeasures; reason: string; facts: Facts }) | null;
}

/**
 * Which sender a message counts as. A message sent through a messaging service has no `from`
 * until Twilio picks one from the service's pool; with sticky sender Twilio keeps one number
 * per recipient, so the detector counts the pool number that a stable hash of the recipient
 * picks. That spreads a campaign over the pool exactly as Twilio would (every pool number, in
 * even shares, each recipient always on the same one), so a service with many numbers counts
 * as many senders and a five-number clinic pool as five. A service with no numbers known
 * counts as one sender: the service itself.
 */
export function senderOf(envelope: ClusteredMessageEvent['envelope'], tenant: TenantConfigEvent | undefined): string {
  const { from, messagingServiceSid, to } = envelope.message;
  if (from !== undefined) return from;
  const pool = messagingServiceNumbers(tenant, messagingServiceSid);
  if (pool.length > 0) return pool[hash32(to, 0x51ed270b) % pool.length]!;
  return messagingServiceSid ?? 'unknown';
}

/**
 * Whether a message counts toward its cluster and markers: not the pipeline's own answers (the
 * one opt-out confirmation, HELP, opt-in share one wording across tenants by design and must go
 * out, MP.OPTOUT.HONOR), nor a message a reviewer released (it was counted when it was held).
 */
export function counted(envelope: ClusteredMessageEvent['envelope']): boolean {
  const last = envelope.verdicts.at(-1);
  return envelope.kind === 'standard' && !(last?.stage === 'review' && last.decision === 'pass');
}

/**
 * The cluster a message is judged in: its tenant's campaign's messages of its content cluster.
 * A sender is judged against its own tenant and campaign, whatever other tenants send: the
 * platform's templates, sent by many clinics under their own brands, are many clusters, one
 * per clinic. What links tenants into one actor's campaign are actor markers (markers.ts),
 * counted apart.
 */
export function tenantClusterId(tenantId: string, campaign: string, contentCluster: string): string {
  return templateHash([tenantId, campaign, contentCluster]);
}

/** The cluster of a tenant's whole campaign, whatever its content. */
export function campaignClusterId(tenantId: string, campaign: string): string {
  return templateHash([tenantId, campaign, '*']);
}

/** Whether a sender is in the campaign's pool: its own list if it has one, else its brand's numbers. */
export function inCampaignPool(tenant: TenantConfigEvent | undefined, campaignId: string, brand: string, sender: string, messagingServiceSid: string | undefined): boolean {
  if (!tenant) return true;
  const campaign = tenant.campaigns.find((c) => c.id === campaignId);
  if (campaign?.senders) {
    if (campaign.senders.includes(sender)) return true;
    if (messagingServiceSid !== undefined && campaign.senders.includes(messagingServiceSid)) return true;
    return tenant.senders.some((s) => s.number === sender && s.messagingServiceSid !== undefined && campaign.senders!.includes(s.messagingServiceSid));
  }
  const registered = tenant.senders.find((s) => s.number === sender);
  return registered === undefined ? messagingServiceSid !== undefined : registered.brand === undefined || registered.brand === brand;
}

function applyOverrides(rules: readonly SnowshoeRule[], overrides: SnowshoeOverrides | undefined): SnowshoeRule[] {
  if (!overrides) return [...rules];
  const out: SnowshoeRule[] = [];
  for (const rule of rules) {
    const change = overrides[rule.name];
    if (change === 'off') continue;
    out.push(change === undefined ? rule : { ...rule, min: { ...rule.min, ...change } });
  }
  return out;
}

/** The rules for a tenant's campaign: the defaults, then the tenant's overrides, then the campaign's. */
export function effectiveRules(rules: readonly SnowshoeRule[], tenant: TenantConfigEvent | undefined, campaignId: string): readonly SnowshoeRule[] {
  const tenantOverrides = tenant?.settings.snowshoe;
  const campaignOverrides = tenant?.campaigns.find((c) => c.id === campaignId)?.snowshoe;
  if (!tenantOverrides && !campaignOverrides) return rules;
  return applyOverrides(applyOverrides(rules, tenantOverrides), campaignOverrides);
}

const SEVERITY = { pass: 0, hold: 1, block: 2 } as const;

function describeMarker(marker: string | null): string {
  if (marker === null) return 'nothing';
  const value = marker.slice(2);
  return marker.startsWith('d:') ? `links to ${value}` : marker.startsWith('p:') ? `the call-back number ${value}` : `the same full text (${value})`;
}

function longestIndex(data: Pick<SnowshoeRules, 'windows'>): number {
  let best = 0;
  data.windows.forEach((w, i) => {
    if (w.ms > data.windows[best]!.ms) best = i;
  });
  return best;
}

function evidence(state: ClusterState, m: WindowMeasures, shared: SharedMeasures, extra: Facts): Facts {
  const senders = state.senders
    .slice()
    .sort((a, b) => b.n - a.n)
    .slice(0, 10)
    .map((s) => s.s);
  return {
    cluster: state.id,
    window: m.window,
    distinctSenders: m.distinctSenders,
    effectiveSenders: Math.round(m.effectiveSenders * 10) / 10,
    excessSenders: m.excessSenders,
    topShare: Math.round(m.topShare * 1000) / 1000,
    retiredSenders: m.retiredSenders,
    lateSenders: m.lateSenders,
    newSenders: m.newSenders,
    outsideCampaignPool: m.outsideCampaignPool,
    unregisteredSenders: m.unregisteredSenders,
    messages: m.messages,
    // Cross-tenant evidence: the actor marker that links the most tenants, and its spread.
    tenants: shared.tenants,
    ...(shared.marker !== null ? { marker: shared.marker, sharedMessages: shared.sharedMessages, sharedSenders: shared.sharedSenders } : {}),
    senders,
    samples: [...state.samples],
    ...extra,
  };
}

/**
 * MP.EVASION.SNOWSHOE for one message: count it into its sending identity's windows (the
 * tenant's campaign per content cluster, and the whole campaign), then decide.
 * - block: the sender is outside the tenant's registered pool (checkSenderPool), or a block
 *   rule fired (the same content from unregistered numbers, or one actor's campaign across
 *   tenants, linked by a shared marker);
 * - hold: a hold rule fired, or the cluster is already held: its further messages are held
 *   for review until it has been quiet for the longest window;
 * - pass: otherwise. Every verdict carries the cluster and its measures as evidence.
 */
export function decideSnowshoe(
  input: ClusteredMessageEvent,
  tenant: TenantConfigEvent | undefined,
  view: DetectorView,
  data: SnowshoeRules,
  registry: SenderRegistry,
  now: Date | string,
  /** The message's acceptance time in ms, when the caller has it (saves parsing `acceptedAt`). */
  acceptedAtMs?: number,
  /** Its actor markers counted across tenants (the caller's store does that, before deciding). */
  shared: SharedMeasures = NO_SHARED,
): Decision {
  const { envelope } = input;
  const clusterId = tenantClusterId(envelope.tenantId, envelope.message.campaign, input.clusterId);
  const at = acceptedAtMs ?? Date.parse(envelope.acceptedAt);
  const nowIso = typeof now === 'string' ? now : now.toISOString();
  const sender = senderOf(envelope, tenant);
  const pool = registry === 'tenants' ? checkSenderPool(envelope, tenant, nowIso) : null;
  const registered = pool === null || pool.decision === 'pass';

  if (!counted(envelope)) {
    const released = envelope.kind === 'standard';
    // The pipeline's own answers (the one opt-out confirmation, HELP, opt-in) share one wording
    // across tenants by design and must go out (MP.OPTOUT.HONOR); a message a reviewer released
    // was counted when it was held. Both are checked against the sender pool only.
    const facts: Facts = { cluster: clusterId, contentCluster: input.clusterId, kind: envelope.kind, sender };
    const why = released ? 'released by review after a hold: not counted again' : `a ${envelope.kind.replace(/_/g, ' ')} is the pipeline's own answer: not counted`;
    const verdict: Verdict =
      pool && pool.decision !== 'pass'
        ? { ...pool, facts: { ...pool.facts, ...facts } }
        : { stage: 'snowshoeing-detector', decision: 'pass', clauses: ['MP.EVASION.SNOWSHOE'], reason: why, facts, at: nowIso };
    return { verdict, clusterId, distinctSenders: 0, windows: [], alert: null };
  }

  const seenKey = `${envelope.tenantId}|${sender}`;
  const firstSeen = view.senderFirstSeen(seenKey);
  if (firstSeen === undefined) view.putSenderFirstSeen(seenKey, at);
  const newSender = firstSeen === undefined || at - firstSeen < data.senders.newForMs;

  const observation = {
    messageId: envelope.id,
    tenantId: envelope.tenantId,
    sender,
    at,
    registered,
    inCampaignPool: registry === 'unknown' || inCampaignPool(tenant, envelope.message.campaign, envelope.message.brand, sender, envelope.message.messagingServiceSid),
    newSender,
    senderSince: firstSeen ?? at,
  };
  const rules = effectiveRules(data.rules, tenant, envelope.message.campaign);
  const match: Facts = { contentCluster: input.clusterId, match: input.match, sender, ...(input.similarity !== undefined ? { similarity: input.similarity } : {}) };
  const base = { stage: 'snowshoeing-detector' as const, at: nowIso };

  // Two sending identities, each with its own windows: the tenant's campaign sending this
  // content, and the whole campaign (heavily spun content splits into many content clusters,
  // but a campaign rotating its numbers is one campaign).
  const judged = [clusterId, campaignClusterId(envelope.tenantId, envelope.message.campaign)].map((id) => {
    const state = observe(view.cluster(id) ?? emptyCluster(id, at), observation, data);
    const { fired, windows } = evaluate(state, at, rules, data, shared);
    if (fired && SEVERITY[fired.rule.decision] > SEVERITY[state.stop?.decision ?? 'pass']) {
      state.stop = { decision: fired.rule.decision, rule: fired.rule.name, window: fired.rule.window, at, messageId: envelope.id };
    }
    view.putCluster(state);
    return { state, windows };
  });
  const content = judged[0]!;
  const windows = content.windows;
  const longestWindow = windows[longestIndex(data)]!;

  // The more severe stop of the two wins; the content's on a tie.
  let stopped: { verdict: Verdict; alert: Decision['alert'] } | null = null;
  const stopping = judged.filter((j) => j.state.stop).sort((a, b) => SEVERITY[b.state.stop!.decision] - SEVERITY[a.state.stop!.decision])[0];
  if (stopping) {
    const { state } = stopping;
    const stop = state.stop!;
    const rule = data.rules.find((r) => r.name === stop.rule);
    const measures = stopping.windows.find((w) => w.window === stop.window) ?? longestWindow;
    const started = stop.messageId === envelope.id;
    const what = stopping === content ? `cluster ${state.id}` : `campaign ${envelope.message.campaign} (cluster ${state.id})`;
    const reason = `${started ? '' : 'cluster already stopped: '}${rule?.why ?? `rule ${stop.rule}`} (${what}, ${measures.distinctSenders} senders in ${measures.window}${shared.tenants > 1 ? `; ${shared.tenants} tenants share ${describeMarker(shared.marker)}` : ''})`;
    const facts = evidence(state, measures, shared, { ...match, level: stopping === content ? 'content' : 'campaign', rule: stop.rule, stoppedBy: stop.messageId });
    stopped = {
      verdict: { ...base, decision: stop.decision, clauses: rule?.clauses ?? ['MP.EVASION.SNOWSHOE'], reason, facts },
      // The message that stopped the cluster raises the alert, whatever its own verdict.
      alert: started ? { ...stop, clusterId: state.id, measures, reason, facts } : null,
    };
  }
  const state = content.state;
  const decided = (verdict: Verdict): Decision => ({ verdict, clusterId, distinctSenders: longestWindow.distinctSenders, windows, alert: stopped?.alert ?? null });

  if (pool && pool.decision !== 'pass') {
    return decided({ ...pool, facts: { ...pool.facts, ...evidence(state, longestWindow, shared, match), ...(state.stop ? { rule: state.stop.rule } : {}) } });
  }
  if (stopped) return decided(stopped.verdict);
  return decided({
    ...base,
    decision: 'pass',
    clauses: ['MP.EVASION.SNOWSHOE'],
    reason: `content cluster ${clusterId} within every snowshoeing threshold (${longestWindow.distinctSenders} senders in ${longestWindow.window})`,
    // A pass carries the cluster and its spread, not the full evidence of a stop.
    facts: { cluster: clusterId, window: longestWindow.window, distinctSenders: longestWindow.distinctSenders, tenants: shared.tenants, messages: longestWindow.messages, ...match },
  });
}
