import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { MessageIdSchema, type TenantConfigEvent } from '@sms/contracts';
import { KafkaPublisher, record } from '@sms/kafka';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { ApiKeyGuard, CurrentTenant } from '@sms/tenancy';
import { Pseudonymizer } from '@sms/util';
import { z } from 'zod';
import { reviewOutcome } from '../rules/review.js';
import { HeldMessagesRepository, type HeldMessage } from './held-messages.repository.js';

const ListQuerySchema = z.strictObject({ status: z.enum(['pending', 'approved', 'rejected', 'cancelled']).optional() });
const DecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  decidedBy: z.string().trim().min(1).max(200),
  note: z.string().max(1000).optional(),
});

/** What a reviewer sees: the message as written, to whom (the last digits only), and why it was held. */
function view(h: HeldMessage) {
  const { envelope, ...rest } = h;
  return { ...rest, body: envelope.message.body, to: `…${envelope.message.to.slice(-4)}` };
}

/** Messages on hold: the reason, the clause, the evidence; approve or reject, recorded with who and when. */
@Controller('v1/reviews')
@UseGuards(ApiKeyGuard)
export class ReviewsController {
  constructor(
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  @Get()
  async list(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(ListQuerySchema, 'query')) query: z.infer<typeof ListQuerySchema>) {
    return { reviews: (await this.held.list(tenant.tenantId, query.status)).map(view) };
  }

  @Post(':messageId/decision')
  @HttpCode(200)
  async decide(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('messageId', new ZodValidationPipe(MessageIdSchema, 'params')) messageId: string,
    @Body(new ZodValidationPipe(DecisionSchema)) body: z.infer<typeof DecisionSchema>,
  ) {
    const decided = await this.held.decide(tenant.tenantId, messageId, body.decision === 'approve' ? 'approved' : 'rejected', body.decidedBy, body.note ?? null);
    if (!decided) {
      const known = (await this.held.list(tenant.tenantId, undefined)).find((h) => h.messageId === messageId);
      throw known
        ? new ProblemException(409, 'already-decided', 'Already decided', `message ${messageId} was ${known.status} by ${known.decidedBy ?? 'someone'}`)
        : new ProblemException(404, 'not-found', 'Not held', `no held message ${messageId} for this tenant`);
    }
    const outcome = reviewOutcome(decided.envelope, body.decision, body.decidedBy, body.note, new Date());
    const key = outcome.topic === 'cleared' ? `${outcome.envelope.tenantId}|${outcome.envelope.message.from ?? outcome.envelope.message.messagingServiceSid ?? ''}` : this.pseudonyms.token(outcome.envelope.tenantId, outcome.envelope.message.to);
    await this.publisher.publishRaw([record(outcome.topic, key, outcome.envelope)]);
    return view(decided);
  }
}
