import { Body, Controller, Get, HttpCode, Inject, Post, Query, UseGuards } from '@nestjs/common';
import { ConsentCaptureSchema, scopesForMessage, type ConsentCapture, type ConsentStateView, type TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { ApiKeyGuard, CurrentTenant } from '@sms/tenancy';
import { describePhoneNumberProblem, parseInternationalNumber, Pseudonymizer } from '@sms/util';
import { z } from 'zod';
import { ConsentRepository } from '../database/consent.repository.js';
import { ConsentCaptureService } from './consent-capture.service.js';

const ConsentQuerySchema = z.strictObject({ to: z.string().min(1).max(32), brand: z.string().min(1).max(100).optional() });

@Controller('v1/consents')
@UseGuards(ApiKeyGuard)
export class ConsentsController {
  constructor(
    @Inject(ConsentCaptureService) private readonly captures: ConsentCaptureService,
    @Inject(ConsentRepository) private readonly consents: ConsentRepository,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  /** Records a consent with its proof (MP.CONSENT.PROOF). */
  @Post()
  @HttpCode(201)
  async create(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Body(new ZodValidationPipe(ConsentCaptureSchema)) body: ConsentCapture,
  ): Promise<{ id: string }> {
    const [outcome] = await this.captures.capture(tenant, [{ capture: body, channel: 'api', captureId: null }]);
    if (!outcome) throw new Error('no outcome for a capture');
    if (outcome.ok) return { id: outcome.id };
    const status = outcome.clause === null ? 400 : 422;
    throw new ProblemException(
      status,
      outcome.clause === 'MP.CONSENT.NOT_PURCHASED' ? 'consent-not-purchasable' : status === 422 ? 'consent-out-of-scope' : 'validation',
      outcome.clause === 'MP.CONSENT.NOT_PURCHASED' ? 'Consent refused' : 'Invalid consent',
      outcome.problems.map((p) => `body.${p.path}: ${p.message}`).join('; '),
      outcome.problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
    );
  }

  /** The current consent state of one person and the records behind it. */
  @Get()
  async find(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Query(new ZodValidationPipe(ConsentQuerySchema, 'query')) query: z.infer<typeof ConsentQuerySchema>,
  ): Promise<ConsentStateView> {
    const to = parseInternationalNumber(query.to);
    if (!to.ok) {
      const message = describePhoneNumberProblem(to.problem);
      throw new ProblemException(400, 'validation', 'Invalid request', `query.to: ${message}`, [{ path: 'query.to', message }]);
    }
    const token = this.pseudonyms.token(tenant.tenantId, to.value.e164);
    const { records, optEvents } = await this.consents.history(tenant.tenantId, token, query.brand);
    const latest = new Map<string, string>();
    for (const e of optEvents) latest.set(e.scope, e.kind);
    const relevant = query.brand !== undefined ? scopesForMessage({ brand: query.brand }, tenant.senders.map((s) => s.number)) : [...latest.keys()];
    const optedOutScopes = relevant.filter((s) => latest.get(s) === 'opt_out');
    return {
      to: to.value.e164,
      ...(query.brand !== undefined ? { brand: query.brand } : {}),
      state: { optedOut: optedOutScopes.length > 0, optedOutScopes, consentRecords: records.length },
      records,
      optEvents,
    };
  }
}
