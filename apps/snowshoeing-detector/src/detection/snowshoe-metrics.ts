import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The detector's own metrics, in a registry per instance (GET /metrics serves it merged with
 * the process's global one). Labels are decisions and rule names, never numbers, bodies or
 * tenant ids (AUP.DATA_SAFEGUARDS, bounded cardinality).
 */
export class SnowshoeMetrics {
  readonly registry = new Registry();
  readonly decisions = this.counter('snowshoe_decisions_total', 'Messages decided by the snowshoeing detector, by decision', ['decision']);
  readonly repeated = this.counter('snowshoe_decisions_repeated_total', 'Redelivered messages given again the verdict stored for them (PostgreSQL), by decision', ['decision']);
  readonly alerts = this.counter('snowshoe_alerts_total', 'Content clusters that crossed a threshold and were held or blocked (MP.EVASION.SNOWSHOE), by rule', ['decision', 'rule']);
  readonly assignments = this.counter('snowshoe_cluster_assignments_total', 'Messages assigned to a content cluster, by how: new cluster, known template, near-duplicate', ['match']);
  readonly activeClusters = new Gauge({
    name: 'snowshoe_active_clusters',
    help: 'Content clusters with a message within the longest window (read from the shared store at scrape)',
    registers: [this.registry],
  });

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
