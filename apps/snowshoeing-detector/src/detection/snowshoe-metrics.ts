import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The detector's own metrics, in a registry per instance (GET /metrics serves it merged with
 * the process's global one). Labels are decisions and rule names, never numbers, bodies or
 * tenant ids (AUP.DATA_SAFEGUARDS, bounded cardinality).
 */
export class SnowshoeMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'snowshoe_decisions_total',
    help: 'Messages decided by the snowshoeing detector, by decision',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });
  readonly repeated = new Counter({
    name: 'snowshoe_decisions_repeated_total',
    help: 'Redelivered messages given again the verdict stored for them (PostgreSQL), by decision',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: 'snowshoe_alerts_total',
    help: 'Content clusters that crossed a threshold and were held or blocked (MP.EVASION.SNOWSHOE), by rule',
    labelNames: ['decision', 'rule'] as const,
    registers: [this.registry],
  });
  readonly assignments = new Counter({
    name: 'snowshoe_cluster_assignments_total',
    help: 'Messages assigned to a content cluster, by how: new cluster, known template, near-duplicate',
    labelNames: ['match'] as const,
    registers: [this.registry],
  });
  readonly activeClusters = new Gauge({
    name: 'snowshoe_active_clusters',
    help: 'Content clusters with a message within the longest window (read from the shared store at scrape)',
    registers: [this.registry],
  });
}
