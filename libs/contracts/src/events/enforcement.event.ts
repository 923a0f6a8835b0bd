import { z } from 'zod';
import { TenantIdSchema, TimestampSchema } from './common.js';

/**
 * A tenant or one of its campaigns suspended or reinstated (MP.ISV, MP.ENFORCEMENT), on a
 * compacted topic keyed by tenant|campaign: the latest value is the current state. Audit
 * decides (violations past the thresholds) and operators lift; intake refuses the messages
 * of what is suspended.
 */
export const EnforcementEventSchema = z.strictObject({
  tenantId: TenantIdSchema,
  /** Absent: the whole tenant. */
  campaign: z.string().min(1).max(100).optional(),
  suspended: z.boolean(),
  reason: z.string().min(1).max(1000),
  decidedBy: z.string().min(1).max(200),
  at: TimestampSchema,
});
export type EnforcementEvent = z.infer<typeof EnforcementEventSchema>;

export function enforcementKey(e: Pick<EnforcementEvent, 'tenantId' | 'campaign'>): string {
  return `${e.tenantId}|${e.campaign ?? '*'}`;
}
