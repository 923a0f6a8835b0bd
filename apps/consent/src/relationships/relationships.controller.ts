import { Body, HttpCode, Inject, Post } from '@nestjs/common';
import { RelationshipEventSchema, type RelationshipEvent, type TenantConfigEvent } from '@sms/contracts';
import { ZodValidationPipe } from '@sms/nest-runtime';
import { CurrentTenant, TenantApi } from '@sms/tenancy';
import { ConsentCaptureService } from '../consents/consent-capture.service.js';
import { refusal } from '../consents/refusal.js';
import { relationshipAsCapture } from './relationship-capture.js';

@TenantApi('v1/relationships')
export class RelationshipsController {
  constructor(@Inject(ConsentCaptureService) private readonly captures: ConsentCaptureService) {}

  /** The person gave their number and took an action: informational messages may follow (MP.CONSENT.PRIOR_RELATIONSHIP). */
  @Post()
  @HttpCode(201)
  async create(@CurrentTenant() tenant: TenantConfigEvent, @Body(new ZodValidationPipe(RelationshipEventSchema)) body: RelationshipEvent): Promise<{ id: string }> {
    const [outcome] = await this.captures.capture(tenant, [{ capture: relationshipAsCapture(body), channel: 'api', captureId: null }]);
    if (!outcome?.ok) throw refusal(outcome);
    return { id: outcome.id };
  }
}
