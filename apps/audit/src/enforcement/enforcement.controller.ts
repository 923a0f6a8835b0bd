import { Body, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { AdminApi, TenantDirectory } from '@sms/tenancy';
import { z } from 'zod';
import { DashboardSchema } from '../reports/reports.controller.js';
import { ReportsRepository } from '../reports/reports.repository.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { EnforcementService } from './enforcement.service.js';

const LiftSchema = z.strictObject({
  tenantId: z.string().min(1).max(63),
  campaign: z.string().min(1).max(100).optional(),
  liftedBy: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(1).max(1000),
});

/** The operator's view of enforcement (MP.ISV, MP.ENFORCEMENT): violations, suspensions, lifting them. */
@AdminApi('admin/v1/enforcement')
export class EnforcementController {
  constructor(
    @Inject(EnforcementService) private readonly enforcement: EnforcementService,
    @Inject(ReportsRepository) private readonly reports: ReportsRepository,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(RULE_DATA) private readonly ruleData: RuleData,
  ) {}

  @Get()
  async overview() {
    const rules = this.ruleData.enforcement;
    const tenants = await Promise.all(
      [...this.tenants.all()].map(async (t) => ({
        tenantId: t.tenantId,
        name: t.name,
        status: t.status,
        violations: (await this.reports.violationCounts(t.tenantId, rules.windowHours, rules.serious, rules.notViolations, this.enforcement.windowStarts(t.tenantId))).campaigns,
      })),
    );
    return { windowHours: rules.windowHours, thresholds: { campaign: rules.campaign, tenant: rules.tenant }, suspensions: this.enforcement.suspensions(), tenants };
  }

  /** Decisions over time for every tenant. */
  @Get('dashboard')
  async dashboard(@Query(new ZodValidationPipe(DashboardSchema, 'query')) query: z.infer<typeof DashboardSchema>) {
    return this.reports.dashboard(null, query.hours);
  }

  /**
   * Lifts a suspension; recorded in the tenant's history with who lifted it and why. The
   * campaign's (or tenant's) violation window starts afresh from here. Lifting what is not
   * suspended is a 409 and writes nothing.
   */
  @Post('lift')
  @HttpCode(200)
  async lift(@Body(new ZodValidationPipe(LiftSchema)) body: z.infer<typeof LiftSchema>): Promise<{ lifted: true }> {
    if (!this.enforcement.isSuspended(body.tenantId, body.campaign ?? null)) {
      const what = body.campaign ? `campaign ${body.campaign} of tenant ${body.tenantId}` : `tenant ${body.tenantId}`;
      throw new ProblemException(409, 'not-suspended', 'Not suspended', `${what} is not suspended: there is nothing to lift`);
    }
    await this.enforcement.apply({
      tenantId: body.tenantId,
      ...(body.campaign ? { campaign: body.campaign } : {}),
      suspended: false,
      reason: body.reason,
      decidedBy: body.liftedBy,
      at: new Date().toISOString(),
    });
    return { lifted: true };
  }
}
