import type { EnforcementEvent, Verdict } from '@sms/contracts';
import type { EnforcementRules } from './rule-data.js';

/**
 * Whether a verdict can bring its tenant nearer a suspension: a block that the counts take in
 * (citing a clause besides the `notViolations` ones, or a serious one). The others (an opt-out
 * blocking a message already queued) need no recount.
 */
export function countsTowardSuspension(verdict: Pick<Verdict, 'decision' | 'clauses'> | undefined, rules: Pick<EnforcementRules, 'serious' | 'notViolations'>): boolean {
  if (verdict?.decision !== 'block') return false;
  return verdict.clauses.some((c) => !rules.notViolations.includes(c) || rules.serious.includes(c));
}

/** Violations of one tenant in the window, by campaign. */
export interface ViolationCounts {
  tenantId: string;
  campaigns: { campaign: string; all: number; serious: number }[];
}

/**
 * When a scope's violation window opened by a lift: a lifted campaign or tenant starts afresh
 * (the history keeps what came before), so one more violation does not suspend it again at once.
 */
export interface WindowStarts {
  /** The tenant's latest lift, ISO time, or null. */
  tenant: string | null;
  /** Per campaign, its latest lift. */
  campaigns: ReadonlyMap<string, string>;
}

export const NO_LIFTS: WindowStarts = { tenant: null, campaigns: new Map() };

/** A tenant's window starts from the latest enforcement event of each of its scopes. */
export function windowStarts(latest: Iterable<EnforcementEvent>, tenantId: string): WindowStarts {
  let tenant: string | null = null;
  const campaigns = new Map<string, string>();
  for (const e of latest) {
    if (e.tenantId !== tenantId || e.suspended) continue;
    if (e.campaign === undefined) tenant = e.at;
    else campaigns.set(e.campaign, e.at);
  }
  return { tenant, campaigns };
}

export interface Suspension {
  tenantId: string;
  /** null: the whole tenant. */
  campaign: string | null;
  reason: string;
}

/**
 * Which campaigns or tenants to suspend now (MP.ISV, MP.ENFORCEMENT): past the thresholds and
 * not suspended already. A tenant over its own threshold is suspended as a whole; otherwise
 * each campaign over the campaign threshold is.
 */
export function suspensionsDue(counts: ViolationCounts, rules: EnforcementRules, suspended: ReadonlySet<string>): Suspension[] {
  const window = `${rules.windowHours}h`;
  const total = counts.campaigns.reduce((sum, c) => ({ all: sum.all + c.all, serious: sum.serious + c.serious }), { all: 0, serious: 0 });
  if (total.serious >= rules.tenant.serious || total.all >= rules.tenant.all) {
    if (suspended.has(`${counts.tenantId}|*`)) return [];
    return [
      {
        tenantId: counts.tenantId,
        campaign: null,
        reason: `${total.serious} serious and ${total.all} violations in ${window} (tenant thresholds ${rules.tenant.serious} serious / ${rules.tenant.all} in all)`,
      },
    ];
  }
  return counts.campaigns
    .filter((c) => (c.serious >= rules.campaign.serious || c.all >= rules.campaign.all) && !suspended.has(`${counts.tenantId}|${c.campaign}`))
    .map((c) => ({
      tenantId: counts.tenantId,
      campaign: c.campaign,
      reason: `campaign ${c.campaign}: ${c.serious} serious and ${c.all} violations in ${window} (thresholds ${rules.campaign.serious} serious / ${rules.campaign.all} in all)`,
    }));
}
