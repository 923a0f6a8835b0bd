import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NO_LIFTS, type ViolationCounts, type WindowStarts } from '../rules/enforcement.js';

/** Read models over the history: violations for enforcement and reports, decisions over time. */
@Injectable()
export class ReportsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Blocks in the window by campaign; a block citing only `notViolations` clauses does not count. */
  async violationCounts(tenantId: string, windowHours: number, serious: string[], notViolations: string[], lifts: WindowStarts = NO_LIFTS): Promise<ViolationCounts> {
    // The window is the last windowHours, from the latest lift of the tenant or the campaign on.
    const [campaigns, at] = [[...lifts.campaigns.keys()], [...lifts.campaigns.values()]];
    const rows = await this.db.query<{ campaign: string; all: string; serious: string }[]>(
      `SELECT coalesce(e.campaign, '(none)') AS campaign,
              count(*) FILTER (WHERE NOT (e.clauses <@ $4::text[])) AS all,
              count(*) FILTER (WHERE e.clauses && $3::text[]) AS serious
         FROM audit.message_events e
         LEFT JOIN unnest($6::text[], $7::timestamptz[]) AS l(campaign, at) ON l.campaign = e.campaign
        WHERE e.tenant_id = $1 AND e.decision = 'block'
          AND e.occurred_at > greatest(now() - make_interval(hours => $2::int), $5::timestamptz, l.at)
        GROUP BY 1`,
      [tenantId, windowHours, serious, notViolations, lifts.tenant, campaigns, at],
    );
    return { tenantId, campaigns: rows.map((r) => ({ campaign: r.campaign, all: Number(r.all), serious: Number(r.serious) })) };
  }

  /** A tenant's violations (blocks and holds) in a period, for a compliance officer (AUP.REPORTING). */
  async violations(tenantId: string, from: Date, to: Date) {
    const where = `tenant_id = $1 AND kind = 'decision' AND decision IN ('block', 'hold') AND occurred_at >= $2 AND occurred_at < $3`;
    const params = [tenantId, from, to];
    const [byClause, byCampaign, byStage, messages] = await Promise.all([
      this.db.query<{ clause: string; decision: string; count: string }[]>(
        `SELECT clause, decision, count(*) FROM audit.message_events, unnest(clauses) AS clause WHERE ${where} GROUP BY 1, 2 ORDER BY 3 DESC`,
        params,
      ),
      this.db.query<{ campaign: string; decision: string; count: string }[]>(
        `SELECT coalesce(campaign, '(none)') AS campaign, decision, count(*) FROM audit.message_events WHERE ${where} GROUP BY 1, 2 ORDER BY 3 DESC`,
        params,
      ),
      this.db.query<{ stage: string; decision: string; count: string }[]>(`SELECT stage, decision, count(*) FROM audit.message_events WHERE ${where} GROUP BY 1, 2 ORDER BY 3 DESC`, params),
      this.db.query<{ message_id: string; campaign: string | null; stage: string; decision: string; clauses: string[]; reason: string; occurred_at: Date }[]>(
        `SELECT message_id, campaign, stage, decision, clauses, reason, occurred_at FROM audit.message_events WHERE ${where} ORDER BY occurred_at DESC LIMIT 1000`,
        params,
      ),
    ]);
    const n = <T extends { count: string }>(rows: T[]) => rows.map((r) => ({ ...r, count: Number(r.count) }));
    return {
      tenantId,
      from: from.toISOString(),
      to: to.toISOString(),
      total: messages.length,
      byClause: n(byClause),
      byCampaign: n(byCampaign),
      byStage: n(byStage),
      messages: messages.map((m) => ({ messageId: m.message_id, campaign: m.campaign, stage: m.stage, decision: m.decision, clauses: m.clauses, reason: m.reason, at: m.occurred_at.toISOString() })),
    };
  }

  /** Decisions per hour by stage and decision, and by clause (one tenant, or every tenant for the operator). */
  async dashboard(tenantId: string | null, hours: number) {
    const params = [tenantId, hours];
    const where = `kind = 'decision' AND ($1::text IS NULL OR tenant_id = $1) AND occurred_at > now() - make_interval(hours => $2::int)`;
    const [byStage, byClause, byTenant] = await Promise.all([
      this.db.query<{ hour: Date; stage: string; decision: string; count: string }[]>(
        `SELECT date_trunc('hour', occurred_at) AS hour, stage, decision, count(*) FROM audit.message_events WHERE ${where} GROUP BY 1, 2, 3 ORDER BY 1`,
        params,
      ),
      this.db.query<{ hour: Date; clause: string; count: string }[]>(
        `SELECT date_trunc('hour', occurred_at) AS hour, clause, count(*) FROM audit.message_events, unnest(clauses) AS clause
          WHERE ${where} AND decision IN ('block', 'hold', 'transform') GROUP BY 1, 2 ORDER BY 1`,
        params,
      ),
      this.db.query<{ tenant_id: string; decision: string; count: string }[]>(`SELECT tenant_id, decision, count(*) FROM audit.message_events WHERE ${where} GROUP BY 1, 2 ORDER BY 1`, params),
    ]);
    return {
      hours,
      byStage: byStage.map((r) => ({ hour: r.hour.toISOString(), stage: r.stage, decision: r.decision, count: Number(r.count) })),
      byClause: byClause.map((r) => ({ hour: r.hour.toISOString(), clause: r.clause, count: Number(r.count) })),
      byTenant: byTenant.map((r) => ({ tenantId: r.tenant_id, decision: r.decision, count: Number(r.count) })),
    };
  }
}
