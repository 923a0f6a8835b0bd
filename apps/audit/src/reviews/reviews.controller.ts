import { Body, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { BodySchema, messageIdFor, MessageIdSchema, ReviewStatusSchema, type SendRequestEvent, type TenantConfigEvent } from '@sms/contracts';
import { KafkaPublisher, record } from '@sms/kafka';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { AdminApi, CurrentTenant, TenantApi } from '@sms/tenancy';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CancelService } from '../cancellation/cancel.service.js';
import { releaseBlocker } from '../rules/review.js';
import { HeldMessagesRepository, type HeldMessage } from './held-messages.repository.js';
import { ReviewService } from './review.service.js';

const ListQuerySchema = z.strictObject({ status: ReviewStatusSchema.optional() });
const AdminListQuerySchema = ListQuerySchema.extend({ tenantId: z.string().min(1).max(63).optional() });
const DecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  /** The compliance reviewer, by name: recorded with the decision. */
  decidedBy: z.string().trim().min(1).max(200),
  note: z.string().max(1000).optional(),
});
const ResubmitSchema = z.strictObject({ body: BodySchema });

/** What a reviewer sees: the message as written, to whom (the last digits only), and why it was held. */
function view(h: HeldMessage) {
  const { envelope, ...rest } = h;
  return { ...rest, body: envelope.message.body, to: `…${envelope.message.to.slice(-4)}` };
}

/**
 * A tenant's held messages: it sees them, their reasons and clauses, and may withdraw one
 * (`DELETE /v1/messages/{id}`) or edit and resubmit it. Holds rest on policy, and a clinic never
 * clears its own: the platform's compliance reviewers decide them (`/admin/v1/reviews`).
 */
@TenantApi('v1/reviews')
export class ReviewsController {
  constructor(
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(CancelService) private readonly cancels: CancelService,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  @Get()
  async list(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(ListQuerySchema, 'query')) query: z.infer<typeof ListQuerySchema>) {
    return { reviews: (await this.held.list(tenant.tenantId, query.status)).map(view) };
  }

  @Post(':messageId/decision')
  async decide(@CurrentTenant() tenant: TenantConfigEvent, @Param('messageId', new ZodValidationPipe(MessageIdSchema, 'params')) messageId: string): Promise<never> {
    const held = await this.held.find(messageId);
    if (!held || held.tenantId !== tenant.tenantId) throw new ProblemException(404, 'not-found', 'Not held', `no held message ${messageId} for this tenant`);
    throw new ProblemException(
      403,
      'compliance-decision',
      'Decided by compliance reviewers',
      `message ${messageId} is held under ${held.clauses.join(', ')}: holds that rest on policy are decided by the platform's compliance reviewers, not by the clinic. Withdraw it (DELETE /v1/messages/${messageId}) or edit and resubmit it (POST /v1/reviews/${messageId}/resubmit)`,
    );
  }

  /**
   * Edit and resubmit: the held message is withdrawn and its edited text sent as a new message
   * (`sms.send-requests.v1`, idempotency key `resubmit:<id>`), which every stage judges afresh.
   * The withdrawal closes the review before anything is published, so no reviewer can release
   * the old text once the new one is on its way; the dispatcher's answer to the cancel request
   * follows in the history, and is not waited for (a held message is not at Twilio). A repeated
   * resubmit of the same message with the same text (a retry after an error) publishes the same
   * request again, which intake takes once; another text is refused (intake would refuse it as
   * a reused idempotency key).
   */
  @Post(':messageId/resubmit')
  @HttpCode(202)
  async resubmit(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('messageId', new ZodValidationPipe(MessageIdSchema, 'params')) messageId: string,
    @Body(new ZodValidationPipe(ResubmitSchema)) body: z.infer<typeof ResubmitSchema>,
  ): Promise<{ id: string; replaces: string }> {
    const held = await this.held.find(messageId);
    if (!held || held.tenantId !== tenant.tenantId) throw new ProblemException(404, 'not-found', 'Not held', `no held message ${messageId} for this tenant`);
    const idempotencyKey = `resubmit:${messageId}`;
    const id = messageIdFor(tenant.tenantId, idempotencyKey);
    // 409 when a reviewer decided it, or it was withdrawn otherwise (or resubmitted with another text), even in a race with this request.
    const text = createHash('sha256').update(body.body).digest('hex').slice(0, 16);
    await this.cancels.request(tenant.tenantId, messageId, 'withdrawn to resubmit an edited text', { note: `resubmitted as ${id} (text sha256:${text})` });
    const m = held.envelope.message;
    const request: SendRequestEvent = {
      tenantId: tenant.tenantId,
      idempotencyKey,
      to: m.to,
      ...(m.from !== undefined ? { from: m.from } : { messagingServiceSid: m.messagingServiceSid! }),
      brand: m.brand,
      campaign: m.campaign,
      useCase: m.useCase,
      body: body.body,
      ...(m.sendAt !== undefined && Date.parse(m.sendAt) > Date.now() ? { sendAt: m.sendAt } : {}),
    };
    await this.publisher.publishRaw([record('sendRequests', `${tenant.tenantId}|${m.to}`, request)]);
    return { id, replaces: messageId };
  }
}

/** The platform's compliance reviewers (operator key): every tenant's holds, decided by a named reviewer. */
@AdminApi('admin/v1/reviews')
export class AdminReviewsController {
  constructor(
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(ReviewService) private readonly reviews: ReviewService,
  ) {}

  @Get()
  async list(@Query(new ZodValidationPipe(AdminListQuerySchema, 'query')) query: z.infer<typeof AdminListQuerySchema>) {
    return { reviews: (await this.held.list(query.tenantId ?? null, query.status)).map(view) };
  }

  /**
   * Approve (it goes on; a consent hold through consent again, on the state of that moment) or
   * reject (blocked). A hold behind an unclear reply is its opt-out review's to decide (409).
   */
  @Post(':messageId/decision')
  @HttpCode(200)
  async decide(@Param('messageId', new ZodValidationPipe(MessageIdSchema, 'params')) messageId: string, @Body(new ZodValidationPipe(DecisionSchema)) body: z.infer<typeof DecisionSchema>) {
    const known = await this.held.find(messageId);
    if (!known) throw new ProblemException(404, 'not-found', 'Not held', `no held message ${messageId}`);
    if (known.status !== 'pending') throw new ProblemException(409, 'already-decided', 'Already decided', `message ${messageId} was ${known.status} by ${known.decidedBy ?? 'someone'}`);
    const blocker = body.decision === 'approve' ? releaseBlocker(known.envelope) : null;
    if (blocker) throw new ProblemException(409, 'decided-by-opt-out-review', 'Decided by its opt-out review', `message ${messageId} cannot be released here: ${blocker}`);
    const decided = await this.held.decide(known.tenantId, messageId, body.decision === 'approve' ? 'approved' : 'rejected', body.decidedBy, body.note ?? null);
    if (!decided) throw new ProblemException(409, 'already-decided', 'Already decided', `message ${messageId} was decided meanwhile`);
    await this.reviews.carryOut(decided, body.decision, body.decidedBy, body.note);
    return view(decided);
  }
}
