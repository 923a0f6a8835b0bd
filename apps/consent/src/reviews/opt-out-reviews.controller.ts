import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { OptOutReviewDecisionSchema, type OptOutReview, type OptOutReviewDecision, type TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { ApiKeyGuard, CurrentTenant } from '@sms/tenancy';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConsentRepository, type NewOptEvent } from '../database/consent.repository.js';
import { OptOutRecorder } from '../opt-outs/opt-out-recorder.js';
import { replyEnvelope, replyMessageId } from '../rules/system-messages.js';

const ListQuerySchema = z.strictObject({ status: z.enum(['pending', 'opted_out', 'not_opt_out']).optional() });

/** Unclear replies that paused marketing, waiting for a person to decide (MP.OPTOUT.HONOR). */
@Controller('v1/opt-out-reviews')
@UseGuards(ApiKeyGuard)
export class OptOutReviewsController {
  constructor(
    @Inject(ConsentRepository) private readonly consents: ConsentRepository,
    @Inject(OptOutRecorder) private readonly recorder: OptOutRecorder,
  ) {}

  @Get()
  async list(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(ListQuerySchema, 'query')) query: z.infer<typeof ListQuerySchema>): Promise<{ reviews: OptOutReview[] }> {
    const reviews = await this.consents.reviews(tenant.tenantId, query.status);
    return { reviews: reviews.map(({ recipientToken: _t, inboundTwilioSid: _s, ...review }) => review) };
  }

  /**
   * A person's decision: an opt-out is recorded (with its one confirmation) and the pause
   * ends either way. Recorded with who decided and when; a review is decided once.
   */
  @Post(':id/decision')
  @HttpCode(200)
  async decide(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('id', new ZodValidationPipe(z.uuid(), 'params')) id: string,
    @Body(new ZodValidationPipe(OptOutReviewDecisionSchema)) body: OptOutReviewDecision,
  ): Promise<OptOutReview> {
    const review = (await this.consents.reviews(tenant.tenantId, undefined)).find((r) => r.id === id);
    if (!review) throw new ProblemException(404, 'not-found', 'Review not found', `no opt-out review ${id} for this tenant`);
    if (!(await this.consents.decideReview(tenant.tenantId, id, body.decision, body.decidedBy, body.note ?? null))) {
      throw new ProblemException(409, 'already-decided', 'Review already decided', `review ${id} was decided before (${review.status})`);
    }
    const inbound = await this.consents.inboundMessage(tenant.tenantId, review.inboundTwilioSid);
    const optOut = body.decision === 'opted_out';
    const event: NewOptEvent & { inboundBody?: string } = {
      id: randomUUID(),
      tenantId: tenant.tenantId,
      recipientToken: review.recipientToken,
      scope: review.scope,
      kind: optOut ? 'opt_out' : 'opt_in',
      source: optOut ? `review:${body.decidedBy}` : `review:${body.decidedBy}: not an opt-out`,
      keyword: null,
      inboundTwilioSid: review.inboundTwilioSid,
      evidence: review.evidence,
      confidence: 1,
      replyMessageId: optOut ? replyMessageId(review.inboundTwilioSid, 'opt_out_confirmation') : null,
      at: new Date().toISOString(),
      ...(inbound ? { inboundBody: inbound.body } : {}),
    };
    const reply = optOut && inbound
      ? replyEnvelope('opt_out_confirmation', { id: randomUUID(), tenantId: tenant.tenantId, twilioSid: inbound.twilioSid, from: inbound.from, to: inbound.to, body: inbound.body, receivedAt: inbound.receivedAt }, tenant, new Date())
      : null;
    await this.recorder.record([event], reply ? [reply] : []);
    const decided = (await this.consents.reviews(tenant.tenantId, undefined)).find((r) => r.id === id)!;
    const { recipientToken: _t, inboundTwilioSid: _s, ...view } = decided;
    return view;
  }
}
