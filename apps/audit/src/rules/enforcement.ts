import { ClauseIdSchema } from '@sms/contracts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const EnforcementRulesSchema = z.strictObject({
  version: z.string(),
  description: z.string(),
  sources: z.array(z.strictObject({ id: z.string(), title: z.string(), clauses: z.array(ClauseIdSchema).optional() })).min(1),
  windowHours: z.number().int().positive(),
  serious: z.array(ClauseIdSchema),
  notViolations: z.array(ClauseIdSchema),
  campaign: z.strictObject({ serious: z.number().int().positive(), all: z.number().int().positive() }),
  tenant: z.strictObject({ serious: z.number().int().positive(), all: z.number().int().positive() }),
});
export type EnforcementRules = z.infer<typeof EnforcementRulesSchema>;

export function loadEnforcementRules(): EnforcementRules {
  return EnforcementRulesSchema.parse(JSON.parse(readFileSync(new URL('../rule-data/enforcement.v1.json', import.meta.url), 'utf8')));
}

/** Violations of one tenant in the window, by campaign. */
export interface ViolationCounts {
  tenantId: string;
  campaigns: { campaign: string; all: number; serious: number }[];
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
