import { Body, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ConsentCaptureSchema, scopesForMessage, type ConsentCapture, type ConsentStateView, type TenantConfigEvent } from '@sms/contracts';
import { describePhoneNumberProblem, parseInternationalNumber, Pseudonymizer } from '@sms/domain';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { CurrentTenant, TenantApi } from '@sms/tenancy';
import { z } from 'zod';
import { keyOf, RecipientFactsRepository } from '../decisions/recipient-facts.repository.js';
import { OptEventsRepository } from '../opt-outs/opt-events.repository.js';
import { ageOn } from '../rules/age.js';
import { ConsentCaptureService } from './consent-capture.service.js';
import { ConsentRecordsRepository } from './consent-records.repository.js';
import { refusal } from './refusal.js';

const ConsentQuerySchema = z.strictObject({ to: z.string().min(1).max(32), brand: z.string().min(1).max(100).optional() });

@TenantApi('v1/consents')
export class ConsentsController {
  constructor(
    @Inject(ConsentCaptureService) private readonly captures: ConsentCaptureService,
    @Inject(ConsentRecordsRepository) private readonly consentRecords: ConsentRecordsRepository,
    @Inject(OptEventsRepository) private readonly optEvents: OptEventsRepository,
    @Inject(RecipientFactsRepository) private readonly recipientFacts: RecipientFactsRepository,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  /** Records a consent with its proof (MP.CONSENT.PROOF). */
  @Post()
  @HttpCode(201)
  async create(@CurrentTenant() tenant: TenantConfigEvent, @Body(new ZodValidationPipe(ConsentCaptureSchema)) body: ConsentCapture): Promise<{ id: string }> {
    const [outcome] = await this.captures.capture(tenant, [{ capture: body, channel: 'api', captureId: null }]);
    if (!outcome?.ok) throw refusal(outcome);
    return { id: outcome.id };
  }

  /** The current consent state of one person and the records behind it. */
  @Get()
  async find(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(ConsentQuerySchema, 'query')) query: z.infer<typeof ConsentQuerySchema>): Promise<ConsentStateView> {
    const to = parseInternationalNumber(query.to);
    if (!to.ok) {
      const message = describePhoneNumberProblem(to.problem);
      throw new ProblemException(400, 'validation', 'Invalid request', `query.to: ${message}`, [{ path: 'query.to', message }]);
    }
    const token = this.pseudonyms.token(tenant.tenantId, to.value.e164);
    const [records, optEvents, facts] = await Promise.all([
      this.consentRecords.ofRecipient(tenant.tenantId, token, query.brand),
      this.optEvents.ofRecipient(tenant.tenantId, token),
      this.recipientFacts.factsFor([{ tenantId: tenant.tenantId, recipientToken: token }]),
    ]);
    const known = facts.get(keyOf({ tenantId: tenant.tenantId, recipientToken: token }))!;
    const relevant =
      query.brand !== undefined
        ? scopesForMessage(
            { brand: query.brand },
            tenant.senders.map((s) => s.number),
          )
        : known.optStates.map((s) => s.scope);
    const current = known.optStates.filter((s) => relevant.includes(s.scope));
    const optedOutScopes = current.filter((s) => s.state === 'opted_out').map((s) => s.scope);
    return {
      to: to.value.e164,
      ...(query.brand !== undefined ? { brand: query.brand } : {}),
      state: {
        optedOut: optedOutScopes.length > 0,
        optedOutScopes,
        marketingPaused: current.some((s) => s.state === 'paused'),
        consentRecords: records.length,
        verifiedAge: known.dateOfBirth ? ageOn(known.dateOfBirth, new Date()) : null,
      },
      records,
      optEvents,
      conversations: [...new Map(known.inbound.map((i) => [i.sender, i.at])).entries()].map(([sender, lastMessageAt]) => ({ sender, lastMessageAt })),
    };
  }
}
