import { Controller, Inject } from '@nestjs/common';
import type { ConsentCaptureEvent, RelationshipEventMessage } from '@sms/contracts';
import type { BatchOutcome, ConsumedRecord, DeadLetter } from '@sms/kafka';
import { ConsumeTopic } from '@sms/nest-kafka';
import { TenantDirectory } from '@sms/tenancy';
import { relationshipAsCapture } from '../relationships/relationship-capture.js';
import type { CaptureInput } from '../rules/check-capture.js';
import { ConsentCaptureService } from './consent-capture.service.js';

/**
 * Consents captured by upstream sign-up flows and relationship events (bookings, orders)
 * that upstream products publish; a refused one goes to the dead-letter topic with why.
 */
@Controller()
export class ConsentCapturesConsumer {
  constructor(
    @Inject(ConsentCaptureService) private readonly captures: ConsentCaptureService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  @ConsumeTopic('consentCaptures')
  async onCaptures(records: ConsumedRecord<ConsentCaptureEvent>[]): Promise<BatchOutcome> {
    return this.record(records, ({ tenantId, captureId, at: _at, ...capture }) => ({ tenantId, captureId, capture }));
  }

  @ConsumeTopic('relationships')
  async onRelationships(records: ConsumedRecord<RelationshipEventMessage>[]): Promise<BatchOutcome> {
    return this.record(records, ({ tenantId, eventId, ...event }) => ({ tenantId, captureId: `relationship:${eventId}`, capture: relationshipAsCapture(event) }));
  }

  /** One insert and one publish per tenant in the batch, not per record (a bulk import is thousands). */
  private async record<T>(records: ConsumedRecord<T>[], read: (value: T) => { tenantId: string; captureId: string; capture: CaptureInput }): Promise<BatchOutcome> {
    const deadLetters: DeadLetter[] = [];
    const byTenant = new Map<string, { record: ConsumedRecord<T>; captureId: string; capture: CaptureInput }[]>();
    for (const r of records) {
      const { tenantId, captureId, capture } = read(r.value);
      if (!this.tenants.get(tenantId)) {
        deadLetters.push({ record: r, error: new Error(`tenantId: tenant "${tenantId}" is unknown`) });
        continue;
      }
      const items = byTenant.get(tenantId) ?? byTenant.set(tenantId, []).get(tenantId)!;
      items.push({ record: r, captureId, capture });
    }
    for (const [tenantId, items] of byTenant) {
      const outcomes = await this.captures.capture(
        this.tenants.get(tenantId)!,
        items.map(({ capture, captureId }) => ({ capture, channel: 'kafka' as const, captureId })),
      );
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) return;
        const why = outcome.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
        deadLetters.push({ record: items[i]!.record, error: new Error(outcome.clause ? `${outcome.clause}: ${why}` : why) });
      });
    }
    return { deadLetters };
  }
}
