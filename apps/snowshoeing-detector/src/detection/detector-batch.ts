import type { ClusteredMessageEvent, MessageEnvelope, TenantConfigEvent } from '@sms/contracts';
import { campaignClusterId, counted, decideSnowshoe, senderOf, tenantClusterId, type Decision } from '../rules/decide-snowshoe.js';
import { fingerprint } from '../rules/fingerprint.js';
import { actorMarkers } from '../rules/markers.js';
import type { DetectorRules } from './detector-rules.js';
import type { RedisStore, StoredDecision } from './redis-store.js';

/**
 * Stage one over a batch: each message's content cluster from the shared index and its actor
 * markers. The pipeline's own answers (opt-out confirmations, HELP) are never clustered (see
 * decideSnowshoe): they keep their own template as cluster and carry no markers.
 */
export async function assignBatch(store: RedisStore, rules: DetectorRules, envelopes: readonly MessageEnvelope[], now: number): Promise<ClusteredMessageEvent[]> {
  const fingerprints = envelopes.map((e) => fingerprint(e.message.body, rules.text, rules.data.similarity));
  const standard = envelopes.flatMap((e, i) => (e.kind === 'standard' ? [i] : []));
  const assigned = await store.assign(
    standard.map((i) => fingerprints[i]!),
    now,
  );
  const assignments = new Map(standard.map((i, k) => [i, assigned[k]!]));
  return envelopes.map((envelope, i) => {
    const f = fingerprints[i]!;
    const a = assignments.get(i);
    if (!a) return { envelope, template: f.template, clusterId: f.template, match: 'new' };
    return { envelope, template: f.template, ...a, markers: actorMarkers(f, envelope.message.brand, rules.shared) };
  });
}

/** The tenant of a message, as the stage knows it. */
export type TenantLookup = (tenantId: string) => TenantConfigEvent | undefined;

/**
 * Stage two over a batch, in order: the actor markers counted across tenants (for messages
 * not decided before), the batch's state loaded in one round trip, each message decided, the
 * state and verdicts saved in one transaction. A redelivered message gets the verdict it was
 * given, without being counted twice. The caller publishes only after this returns.
 */
export async function decideBatch(
  store: RedisStore,
  rules: DetectorRules,
  tenants: TenantLookup,
  items: readonly ClusteredMessageEvent[],
  now: Date,
): Promise<{ decided: StoredDecision[]; alerts: NonNullable<Decision['alert']>[]; fresh: boolean[] }> {
  const nowIso = now.toISOString();
  const senders = items.map((c) => senderOf(c.envelope, tenants(c.envelope.tenantId)));
  // A verdict is remembered per message and step: the same message back after a review is a new question.
  const decisionKeys = items.map((c) => `${c.envelope.id}:${c.envelope.verdicts.length}`);
  const view = await store.load(
    items.flatMap((c) => [tenantClusterId(c.envelope.tenantId, c.envelope.message.campaign, c.clusterId), campaignClusterId(c.envelope.tenantId, c.envelope.message.campaign)]),
    items.map((c, i) => `${c.envelope.tenantId}|${senders[i]}`),
    decisionKeys,
  );
  const pending = items.flatMap((c, i) => (view.given.has(decisionKeys[i]!) || !counted(c.envelope) ? [] : [i]));
  const measured = await store.observeMarkers(
    pending.map((i) => ({ markers: items[i]!.markers ?? [], tenant: items[i]!.envelope.tenantId, sender: senders[i]!, at: Date.parse(items[i]!.envelope.acceptedAt) })),
  );
  const shared = new Map(pending.map((i, k) => [i, measured[k]!]));
  const alerts: NonNullable<Decision['alert']>[] = [];
  const fresh: boolean[] = [];
  const decided = items.map((c, i) => {
    const key = decisionKeys[i]!;
    const earlier = view.decisions.get(key) ?? view.given.get(key);
    fresh.push(earlier === undefined);
    if (earlier) return earlier;
    const d = decideSnowshoe(c, tenants(c.envelope.tenantId), view, rules.data, 'tenants', nowIso, undefined, shared.get(i));
    const stored: StoredDecision = { verdict: d.verdict, clusterId: d.clusterId, distinctSenders: d.distinctSenders };
    view.decisions.set(key, stored);
    if (d.alert) alerts.push(d.alert);
    return stored;
  });
  await store.save(view, now.getTime());
  return { decided, alerts, fresh };
}
