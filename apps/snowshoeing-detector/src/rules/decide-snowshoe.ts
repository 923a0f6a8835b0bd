import { messagingServiceNumbers, type ClusteredMessageEvent, type Facts, type SnowshoeOverrides, type TenantConfigEvent, type Verdict } from '@sms/contracts';
import { emptyCluster, evaluate, observe, type ClusterState, type StopRecord, type WindowMeasures } from './cluster-window.js';
import { hash32 } from './fingerprint.js';
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

function longestIndex(data: Pick<SnowshoeRules, 'windows'>): number {
  let best = 0;
  data.windows.forEach((w, i) => {
    if (w.ms > data.windows[best]!.ms) best = i;
  });
  return best;
}

function evidence(state: ClusterState, m: WindowMeasures, extra: Facts): Facts {
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
    topShare: Math.round(m.topShare * 1000) / 1000,
    retiredSenders: m.retiredSenders,
    newSenders: m.newSenders,
    outsideCampaignPool: m.outsideCampaignPool,
    unregisteredSenders: m.unregisteredSenders,
    tenants: m.tenants,
    messages: m.messages,
    senders,
    samples: [...state.samples],
    ...extra,
  };
}

/**
 * MP.EVASION.SNOWSHOE for one message: count it into its cluster's windows, then decide.
 * - block: the sender is outside the tenant's registered pool (checkSenderPool), or a block
 *   rule fired (the same content from unregistered numbers, or across tenants);
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
): Decision {
  const { envelope, clusterId } = input;
  const at = acceptedAtMs ?? Date.parse(envelope.acceptedAt);
  const nowIso = typeof now === 'string' ? now : now.toISOString();
  const sender = senderOf(envelope, tenant);
  const pool = registry === 'tenants' ? checkSenderPool(envelope, tenant, nowIso) : null;
  const registered = pool === null || pool.decision === 'pass';

  const released = envelope.verdicts.at(-1)?.stage === 'review' && envelope.verdicts.at(-1)?.decision === 'pass';
  if (envelope.kind !== 'standard' || released) {
    // The pipeline's own answers (the one opt-out confirmation, HELP, opt-in) share one wording
    // across tenants by design and must go out (MP.OPTOUT.HONOR); a message a reviewer released
    // was counted when it was held. Both are checked against the sender pool only.
    const facts: Facts = { cluster: clusterId, kind: envelope.kind, sender };
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

  const state = observe(view.cluster(clusterId) ?? emptyCluster(clusterId, at), {
    messageId: envelope.id,
    tenantId: envelope.tenantId,
    sender,
    at,
    registered,
    inCampaignPool: registry === 'unknown' || inCampaignPool(tenant, envelope.message.campaign, envelope.message.brand, sender, envelope.message.messagingServiceSid),
    newSender,
  }, data);

  const { fired, windows } = evaluate(state, at, effectiveRules(data.rules, tenant, envelope.message.campaign), data);
  const longestWindow = windows[longestIndex(data)]!;
  const match: Facts = { match: input.match, sender, ...(input.similarity !== undefined ? { similarity: input.similarity } : {}) };

  if (fired && SEVERITY[fired.rule.decision] > SEVERITY[state.stop?.decision ?? 'pass']) {
    state.stop = { decision: fired.rule.decision, rule: fired.rule.name, window: fired.rule.window, at, messageId: envelope.id };
  }
  view.putCluster(state);

  const base = { stage: 'snowshoeing-detector' as const, at: nowIso };
  let stopped: { verdict: Verdict; alert: Decision['alert'] } | null = null;
  if (state.stop) {
    const stop = state.stop;
    const rule = data.rules.find((r) => r.name === stop.rule);
    const measures = windows.find((w) => w.window === stop.window) ?? longestWindow;
    const started = stop.messageId === envelope.id;
    const reason = `${started ? '' : 'cluster already stopped: '}${rule?.why ?? `rule ${stop.rule}`} (cluster ${clusterId}, ${measures.distinctSenders} senders, ${measures.tenants} tenant(s) in ${measures.window})`;
    const facts = evidence(state, measures, { ...match, rule: stop.rule, stoppedBy: stop.messageId });
    stopped = {
      verdict: { ...base, decision: stop.decision, clauses: rule?.clauses ?? ['MP.EVASION.SNOWSHOE'], reason, facts },
      // The message that stopped the cluster raises the alert, whatever its own verdict.
      alert: started ? { ...stop, clusterId, measures, reason, facts } : null,
    };
  }
  const decided = (verdict: Verdict): Decision => ({ verdict, clusterId, distinctSenders: longestWindow.distinctSenders, windows, alert: stopped?.alert ?? null });

  if (pool && pool.decision !== 'pass') {
    return decided({ ...pool, facts: { ...pool.facts, ...evidence(state, longestWindow, match), ...(state.stop ? { rule: state.stop.rule } : {}) } });
  }
  if (stopped) return decided(stopped.verdict);
  return decided({
    ...base,
    decision: 'pass',
    clauses: ['MP.EVASION.SNOWSHOE'],
    reason: `content cluster ${clusterId} within every snowshoeing threshold (${longestWindow.distinctSenders} senders in ${longestWindow.window})`,
    // A pass carries the cluster and its spread, not the full evidence of a stop.
    facts: { cluster: clusterId, window: longestWindow.window, distinctSenders: longestWindow.distinctSenders, tenants: longestWindow.tenants, messages: longestWindow.messages, ...match },
  });
}
