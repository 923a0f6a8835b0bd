import { Body, HttpCode, Inject, Post } from '@nestjs/common';
import { AgeVerificationSchema, type AgeVerification, type TenantConfigEvent } from '@sms/contracts';
import { describePhoneNumberProblem, parseInternationalNumber, Pseudonymizer } from '@sms/domain';
import { KafkaPublisher } from '@sms/kafka';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { CurrentTenant, TenantApi } from '@sms/tenancy';
import { randomUUID } from 'node:crypto';
import { ageVerifiedChange } from '../opt-outs/consent-changes.js';
import { AgeVerificationsRepository } from './age-verifications.repository.js';

@TenantApi('v1/age-verifications')
export class AgeVerificationsController {
  constructor(
    @Inject(AgeVerificationsRepository) private readonly ageVerifications: AgeVerificationsRepository,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  /**
   * Records a verified date of birth with how and when it was verified. Consent puts the
   * recipient's age on each message; content screening checks it against the legal age of
   * the recipient's jurisdiction for gated content (MP.AGE_GATE).
   */
  @Post()
  @HttpCode(201)
  async create(@CurrentTenant() tenant: TenantConfigEvent, @Body(new ZodValidationPipe(AgeVerificationSchema)) body: AgeVerification): Promise<{ id: string }> {
    const to = parseInternationalNumber(body.to);
    const problems: { path: string; message: string }[] = [];
    if (!to.ok) problems.push({ path: 'body.to', message: describePhoneNumberProblem(to.problem) });
    const verifiedAt = Date.parse(body.verifiedAt);
    if (Date.parse(body.dateOfBirth) > Date.now()) problems.push({ path: 'body.dateOfBirth', message: 'is in the future' });
    if (verifiedAt > Date.now() + 5 * 60_000) problems.push({ path: 'body.verifiedAt', message: 'is in the future' });
    if (Date.parse(body.dateOfBirth) > verifiedAt) problems.push({ path: 'body.dateOfBirth', message: 'is after the verification' });
    if (problems.length > 0 || !to.ok) {
      throw new ProblemException(400, 'validation', 'Invalid request', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    }
    const verification = {
      id: randomUUID(),
      tenantId: tenant.tenantId,
      recipientToken: this.pseudonyms.token(tenant.tenantId, to.value.e164),
      dateOfBirth: body.dateOfBirth,
      method: body.method,
      reference: body.reference ?? null,
      verifiedAt: new Date(verifiedAt).toISOString(),
    };
    await this.ageVerifications.insertAgeVerification(verification);
    await this.publisher.publishRaw([ageVerifiedChange(verification)]);
    return { id: verification.id };
  }
}
