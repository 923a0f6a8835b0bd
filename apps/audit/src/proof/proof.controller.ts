import { Get, Header, Inject, Query, Res } from '@nestjs/common';
import type { TenantConfigEvent } from '@sms/contracts';
import { describePhoneNumberProblem, parseInternationalNumber, Pseudonymizer } from '@sms/domain';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { AllowSuspendedTenant, CurrentTenant, TenantApi } from '@sms/tenancy';
import type { Response } from 'express';
import { z } from 'zod';
import { HistoryRepository } from '../history/history.repository.js';
import { currentStatus } from '../rules/history.js';
import { proofDocument, renderProofHtml, type ConfirmationFact } from './proof-document.js';

const ProofQuerySchema = z.strictObject({ to: z.string().min(1).max(32), format: z.enum(['json', 'html']).default('json') });

/** The consent proof of one person, as JSON or as a printable page (MP.CONSENT.PROOF, AUP.REPORTING). */
@TenantApi('v1/consent-proof')
@AllowSuspendedTenant()
export class ProofController {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async export(@CurrentTenant() tenant: TenantConfigEvent, @Query(new ZodValidationPipe(ProofQuerySchema, 'query')) query: z.infer<typeof ProofQuerySchema>, @Res() response: Response): Promise<void> {
    const to = parseInternationalNumber(query.to);
    if (!to.ok) {
      const message = describePhoneNumberProblem(to.problem);
      throw new ProblemException(400, 'validation', 'Invalid request', `query.to: ${message}`, [{ path: 'query.to', message }]);
    }
    const changes = await this.history.consentChanges(tenant.tenantId, this.pseudonyms.token(tenant.tenantId, to.value.e164));
    const confirmations = new Map<string, ConfirmationFact>();
    for (const id of changes.map((c) => c.proof.confirmationMessageId).filter((id): id is string => id !== undefined)) {
      const events = await this.history.forMessage(tenant.tenantId, id);
      if (events.length > 0) confirmations.set(id, { messageId: id, status: currentStatus(events), at: events.filter((e) => e.kind === 'status').at(-1)?.occurredAt ?? null });
    }
    const doc = proofDocument({ tenantId: tenant.tenantId, tenantName: tenant.name, recipient: to.value.e164, now: new Date() }, changes, confirmations, await this.history.verify(tenant.tenantId));
    if (query.format === 'html') response.type('text/html').send(renderProofHtml(doc));
    else response.json(doc);
  }
}
