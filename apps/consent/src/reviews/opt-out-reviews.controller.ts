import { Body, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { OptOutReviewDecisionSchema, type OptOutReview, type OptOutReviewDecision, type TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { AdminApi, CurrentTenant, TenantApi } from '@sms/tenancy';
import { z } from 'zod';
import { OptOutReviewService, reviewView } from './opt-out-review.service.js';
import { OptOutReviewsRepository } from './opt-out-reviews.repository.js';

const ListQuerySchema = z.strictObject({ status: z.enum(['pending', 'opted_out', 'not_opt_out']).optional() });
const AdminListQuerySchema = ListQuerySchema.extend({ tenantId: z.string().min(1).max(63).optional() });

/**
 * A tenant's unclear replies that paused marketing (MP.OPTOUT.HONOR): it sees them and who
 * decided them. A clinic never clears its own compliance holds: the platform's compliance
 * reviewers decide them (`/admin/v1/opt-out-reviews`).
 */
@TenantApi('v1/opt-out-reviews')
export class OptOutReviewsController {
  constructor(@Inject(OptOutReviewsRepository) private readonly optOutReviews: OptOutReviewsRepository) {}

  @Get()
  async list(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(ListQuerySchema, 'query')) query: z.infer<typeof ListQuerySchema>): Promise<{ reviews: OptOutReview[] }> {
    return { reviews: (await this.optOutReviews.reviews(tenant.tenantId, query.status)).map(reviewView) };
  }

  @Post(':id/decision')
  async decide(@CurrentTenant() tenant: TenantConfigEvent, @Param('id', new ZodValidationPipe(z.uuid(), 'params')) id: string): Promise<never> {
    const [review] = await this.optOutReviews.reviews(tenant.tenantId, undefined, id);
    if (!review) throw new ProblemException(404, 'not-found', 'Review not found', `no opt-out review ${id} for this tenant`);
    throw new ProblemException(
      403,
      'compliance-decision',
      'Decided by compliance reviewers',
      `opt-out review ${id} rests on MP.OPTOUT.HONOR: whether a reply was an opt-out is decided by the platform's compliance reviewers (POST /admin/v1/opt-out-reviews/${id}/decision), not by the clinic`,
    );
  }
}

/** The platform's compliance reviewers (operator key): every tenant's opt-out reviews, decided by a named reviewer. */
@AdminApi('admin/v1/opt-out-reviews')
export class AdminOptOutReviewsController {
  constructor(
    @Inject(OptOutReviewsRepository) private readonly optOutReviews: OptOutReviewsRepository,
    @Inject(OptOutReviewService) private readonly reviews: OptOutReviewService,
  ) {}

  @Get()
  async list(@Query(new ZodValidationPipe(AdminListQuerySchema, 'query')) query: z.infer<typeof AdminListQuerySchema>): Promise<{ reviews: OptOutReview[] }> {
    return { reviews: (await this.optOutReviews.reviews(query.tenantId ?? null, query.status)).map(reviewView) };
  }

  /** opted_out records the opt-out and sends its one confirmation; not_opt_out ends the pause. Decided once (409 after). */
  @Post(':id/decision')
  @HttpCode(200)
  async decide(@Param('id', new ZodValidationPipe(z.uuid(), 'params')) id: string, @Body(new ZodValidationPipe(OptOutReviewDecisionSchema)) body: OptOutReviewDecision): Promise<OptOutReview> {
    return this.reviews.decide(id, body);
  }
}
