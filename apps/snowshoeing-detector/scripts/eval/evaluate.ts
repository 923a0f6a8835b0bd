import type { Decision as DecisionKind } from '@sms/contracts';
import { StreamDetector } from '../../src/detection/stream-detector.js';
import type { SnowshoeRules, TextNormalisation } from '../../src/rules/rule-data.js';
import type { Traffic } from './traffic.js';

export interface CampaignResult {
  name: string;
  kind: 'legitimate' | 'snowshoe';
  how: string;
  messages: number;
  passed: number;
  held: number;
  blocked: number;
  /** Snowshoe: messages that passed before the first hold or block (they reached Twilio). */
  sentBeforeStop: number | null;
  /** Snowshoe: of the messages after the campaign's first `grace`, how many were held or blocked. */
  stoppedAfterGrace: number | null;
  afterGrace: number | null;
  /** Clusters the campaign's messages were put in. */
  clusters: number;
  /** The rules that stopped its messages. */
  rules: string[];
}

export interface EvaluationReport {
  results: CampaignResult[];
  legitimateMessages: number;
  falseStops: number;
  snowshoeCampaigns: number;
  detected: number;
  snowshoeMessages: number;
  snowshoePassed: number;
  /** Snowshoe messages after each campaign's first `grace`, and how many of them were stopped. */
  afterGrace: number;
  stoppedAfterGrace: number;
  millis: number;
}

/** Runs the detector over generated traffic and scores it per campaign. */
export function evaluate(traffic: Traffic, rules: SnowshoeRules, text: TextNormalisation, grace = 25): EvaluationReport {
  const detector = new StreamDetector(rules, text, new Map(traffic.tenants.map((t) => [t.tenantId, t])));
  const byId = new Map<string, { decision: DecisionKind; cluster: string; rule: string | null }>();
  const t0 = performance.now();
  for (const message of traffic.stream) {
    const d = detector.process(message);
    const rule = d.verdict.facts['rule'];
    byId.set(message.id, { decision: d.verdict.decision, cluster: d.clusterId, rule: typeof rule === 'string' ? rule : d.verdict.decision === 'pass' ? null : 'sender-pool' });
  }
  const millis = performance.now() - t0;

  const results = traffic.campaigns.map((c): CampaignResult => {
    const decided = c.messages.map((m) => byId.get(m.id)!);
    const firstStop = decided.findIndex((d) => d.decision !== 'pass');
    return {
      name: c.name,
      kind: c.kind,
      how: c.how,
      messages: c.messages.length,
      passed: decided.filter((d) => d.decision === 'pass').length,
      held: decided.filter((d) => d.decision === 'hold').length,
      blocked: decided.filter((d) => d.decision === 'block').length,
      sentBeforeStop: c.kind === 'snowshoe' ? (firstStop === -1 ? c.messages.length : decided.slice(0, firstStop).length) : null,
      stoppedAfterGrace: c.kind === 'snowshoe' ? decided.slice(grace).filter((d) => d.decision !== 'pass').length : null,
      afterGrace: c.kind === 'snowshoe' ? Math.max(0, decided.length - grace) : null,
      clusters: new Set(decided.map((d) => d.cluster)).size,
      rules: [...new Set(decided.map((d) => d.rule).filter((r): r is string => r !== null))],
    };
  });
  const legitimate = results.filter((r) => r.kind === 'legitimate');
  const snowshoe = results.filter((r) => r.kind === 'snowshoe');
  return {
    results,
    legitimateMessages: legitimate.reduce((s, r) => s + r.messages, 0),
    falseStops: legitimate.reduce((s, r) => s + r.held + r.blocked, 0),
    snowshoeCampaigns: snowshoe.length,
    detected: snowshoe.filter((r) => r.held + r.blocked > 0).length,
    snowshoeMessages: snowshoe.reduce((s, r) => s + r.messages, 0),
    snowshoePassed: snowshoe.reduce((s, r) => s + r.passed, 0),
    afterGrace: snowshoe.reduce((s, r) => s + (r.afterGrace ?? 0), 0),
    stoppedAfterGrace: snowshoe.reduce((s, r) => s + (r.stoppedAfterGrace ?? 0), 0),
    millis,
  };
}
