import { Inject, Injectable } from '@nestjs/common';
import type { OptOutReview, OptOutReviewDecision } from '@sms/contracts';
import { ProblemException } from '@sms/nest-runtime';
import { TenantDirectory } from '@sms/tenancy';
import { randomUUID } from 'node:crypto';
import { InboundMessagesRepository } from '../inbound/inbound-messages.repository.js';
import type { NewOptEvent } from '../opt-outs/opt-events.repository.js';
import { OptOutRecorder } from '../opt-outs/opt-out-recorder.js';
import { replyEnvelope, replyMessageId } from '../rules/system-messages.js';
import { OptOutReviewsRepository } from './opt-out-reviews.repository.js';

/** What a review shows over HTTP: never the recipient's token or the inbound message's Twilio sid. */
export function reviewView(review: OptOutReview & { recipientToken: string; inboundTwilioSid: string }): OptOutReview {
  const { recipientToken: _t, inboundTwilioSid: _s, ...view } = review;
  return view;
}

/**
 * A compliance reviewer's decision on an unclear reply (MP.OPTOUT.HONOR): an opt-out is
 * recorded (with its one confirmation) and the pause ends either way. Recorded with who decided
 * and when; a review is decided once. Audit releases or blocks the messages held behind it.
 */
@Injectable()
export class OptOutReviewService {
  constructor(
    @Inject(OptOutReviewsRepository) private readonly optOutReviews: OptOutReviewsRepository,
    @Inject(InboundMessagesRepository) private readonly inboundMessages: InboundMessagesRepository,
    @Inject(OptOutRecorder) private readonly recorder: OptOutRecorder,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  async decide(id: string, body: OptOutReviewDecision): Promise<OptOutReview> {
    const [review] = await this.optOutReviews.reviews(null, undefined, id);
    if (!review) throw new ProblemException(404, 'not-found', 'Review not found', `no opt-out review ${id}`);
    const tenant = this.tenants.get(review.tenantId);
    if (!tenant) throw new ProblemException(503, 'tenant-unknown', 'Tenant not known yet', `tenant ${review.tenantId} of review ${id} is not known to consent yet; try again`);
    if (!(await this.optOutReviews.decideReview(review.tenantId, id, body.decision, body.decidedBy, body.note ?? null))) {
      throw new ProblemException(409, 'already-decided', 'Review already decided', `review ${id} was decided before (${review.status}${review.decidedBy ? ` by ${review.decidedBy}` : ''})`);
    }
    const inbound = await this.inboundMessages.inboundMessage(review.tenantId, review.inboundTwilioSid);
    const optOut = body.decision === 'opted_out';
    const event: NewOptEvent & { inboundBody?: string } = {
      id: randomUUID(),
      tenantId: review.tenantId,
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
    const reply =
      optOut && inbound
        ? replyEnvelope(
            'opt_out_confirmation',
            { id: randomUUID(), tenantId: review.tenantId, twilioSid: inbound.twilioSid, from: inbound.from, to: inbound.to, body: inbound.body, receivedAt: inbound.receivedAt },
            tenant,
            new Date(),
          )
        : null;
    await this.recorder.record([event], reply ? [reply] : []);
    const [decided] = await this.optOutReviews.reviews(review.tenantId, undefined, id);
    return reviewView(decided!);
  }
}
