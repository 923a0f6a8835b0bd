import type { ClusteredMessageEvent, MessageEnvelope, TenantConfigEvent } from '@sms/contracts';
import { decisionKeyText, type DecisionKey, type DecisionsRepository, type StoredDecision } from '../decisions/decisions.repository.js';
import { campaignClusterId, counted, decideSnowshoe, senderOf, tenantClusterId, type Decision } from '../rules/decide-snowshoe.js';
import { fingerprint } from '../rules/fingerprint.js';
import { actorMarkers } from '../rules/markers.js';
import type { RedisStore } from './redis-store.js';
import type { RuleData } from '../rules/rule-data.js';

/**
 * Stage one over a batch: each message's content cluster from the shared index and its actor
 * markers. The pipeline's own answers (opt-out confirmations, HELP) are never clustered (see
 * decideSnowshoe): they keep their own template as cluster and carry no markers.
 */
export async function assignBatch(store: RedisStore, rules: RuleData, envelopes: readonly MessageEnvelope[], now: number): Promise<ClusteredMessageEvent[]> {
  const fingerprints = envelopes.map((e) => fingerprint(e.message.body, rules.text, rules.snowshoe.similarity));
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
 * Stage two over a batch, in order: the verdicts already given (PostgreSQL) and the batch's
 * state (Redis) loaded at once, the actor markers counted across tenants for messages not
 * decided before, each of those decided, its verdict written once (PostgreSQL: what is stored
 * is what goes out), then the windows saved (Redis). A redelivered message gets the verdict it
 * was given, however long after and whatever Redis forgot, without being counted twice. The
 * caller publishes only after this returns. `fresh`: decided by this call.
 */
export async function decideBatch(
  store: RedisStore,
  decisions: DecisionsRepository,
  rules: RuleData,
  tenants: TenantLookup,
  items: readonly ClusteredMessageEvent[],
  now: Date,
): Promise<{ decided: StoredDecision[]; alerts: NonNullable<Decision['alert']>[]; fresh: boolean[] }> {
  const nowIso = now.toISOString();
  const senders = items.map((c) => senderOf(c.envelope, tenants(c.envelope.tenantId)));
  // A verdict is remembered per message and step: the same message back after a review is a new question.
  const keys = items.map((c): DecisionKey => ({ messageId: c.envelope.id, verdictsBefore: c.envelope.verdicts.length }));
  const keyTexts = keys.map(decisionKeyText);
  const [view, given] = await Promise.all([
    store.load(
      items.flatMap((c) => [tenantClusterId(c.envelope.tenantId, c.envelope.message.campaign, c.clusterId), campaignClusterId(c.envelope.tenantId, c.envelope.message.campaign)]),
      items.map((c, i) => `${c.envelope.tenantId}|${senders[i]}`),
    ),
    decisions.given(keys),
  ]);
  // Counted once: not when decided before, nor again when the batch carries the message twice.
  const seen = new Set<string>(given.keys());
  const pending: number[] = [];
  items.forEach((c, i) => {
    if (seen.has(keyTexts[i]!)) return;
    seen.add(keyTexts[i]!);
    if (counted(c.envelope)) pending.push(i);
  });
  const measured = await store.observeMarkers(
    pending.map((i) => ({ markers: items[i]!.markers ?? [], tenant: items[i]!.envelope.tenantId, sender: senders[i]!, at: Date.parse(items[i]!.envelope.acceptedAt) })),
  );
  const shared = new Map(pending.map((i, k) => [i, measured[k]!]));
  // The verdicts this call makes, by key, with the item that made each (a batch may carry a message twice).
  const made = new Map<string, { key: DecisionKey; decision: StoredDecision; alert: Decision['alert']; item: number }>();
  const ours = items.map((c, i) => {
    const key = keyTexts[i]!;
    const earlier = made.get(key)?.decision ?? given.get(key);
    if (earlier) return earlier;
    const d = decideSnowshoe(c, tenants(c.envelope.tenantId), view, rules.snowshoe, 'tenants', nowIso, undefined, shared.get(i));
    const decision: StoredDecision = { verdict: d.verdict, clusterId: d.clusterId, distinctSenders: d.distinctSenders };
    made.set(key, { key: keys[i]!, decision, alert: d.alert, item: i });
    return decision;
  });
  const stored = await decisions.record(made);
  await store.save(view, now.getTime());
  // Another instance may have decided a message first (a partition moved mid-batch): its verdict stands.
  const decided = ours.map((d, i) => stored.get(keyTexts[i]!) ?? d);
  const stands = (key: string) => made.has(key) && stored.get(key) === made.get(key)!.decision;
  const fresh = keyTexts.map((key, i) => stands(key) && made.get(key)!.item === i);
  const alerts = [...made.entries()].flatMap(([key, m]) => (m.alert && stands(key) ? [m.alert] : []));
  return { decided, alerts, fresh };
}
