import { Get, Inject, Query } from '@nestjs/common';
import type { TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { AllowSuspendedTenant, CurrentTenant, TenantApi } from '@sms/tenancy';
import { z } from 'zod';
import { HistoryRepository } from '../history/history.repository.js';
import { ReportsRepository } from './reports.repository.js';

const PeriodSchema = z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) });
export const DashboardSchema = z.strictObject({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
});

/** Reports for a tenant's compliance officer (AUP.REPORTING), open to a suspended tenant too. */
@TenantApi('v1')
@AllowSuspendedTenant()
export class ReportsController {
  constructor(
    @Inject(ReportsRepository) private readonly reports: ReportsRepository,
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
  ) {}

  /** Every block and hold of the tenant in a period, by clause, campaign and stage. */
  @Get('reports/violations')
  async violations(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(PeriodSchema, 'query')) query: z.infer<typeof PeriodSchema>) {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to <= from) throw new ProblemException(400, 'validation', 'Invalid request', 'query.to: must be after query.from', [{ path: 'query.to', message: 'must be after query.from' }]);
    return this.reports.violations(tenant.tenantId, from, to);
  }

  @Get('dashboard')
  async dashboard(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(DashboardSchema, 'query')) query: z.infer<typeof DashboardSchema>) {
    return this.reports.dashboard(tenant.tenantId, query.hours);
  }

  /** Recomputes the tenant's hash chain: proof that its history was not changed (AUP.REPORTING). */
  @Get('history/verify')
  async verify(@CurrentTenant() tenant: TenantConfigEvent) {
    return this.history.verify(tenant.tenantId);
  }
}
