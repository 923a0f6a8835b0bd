import { Inject, Injectable } from '@nestjs/common';
import type { TenantConfigEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher } from '@sms/kafka';
import { createHash, randomUUID } from 'node:crypto';
import { consentRecordedChanges } from '../opt-outs/consent-changes.js';
import { checkCapture, type CaptureCheck, type CaptureInput } from '../rules/check-capture.js';
import { ConsentRecordsRepository, type NewConsentRecord } from './consent-records.repository.js';

export type CaptureOutcome = { ok: true; id: string } | Extract<CaptureCheck, { ok: false }>;

/** Recording consents with their proof, from the API and from the captures topic. */
@Injectable()
export class ConsentCaptureService {
  constructor(
    @Inject(ConsentRecordsRepository) private readonly consentRecords: ConsentRecordsRepository,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  /** Records consents (and relationship events) with their proof; each refused one says why. */
  async capture(tenant: TenantConfigEvent, items: { capture: CaptureInput; channel: 'api' | 'kafka'; captureId: string | null }[]): Promise<CaptureOutcome[]> {
    const now = new Date();
    const outcomes: (CaptureOutcome | NewConsentRecord)[] = items.map(({ capture, channel, captureId }) => {
      const check = checkCapture(capture, tenant, now);
      if (!check.ok) return check;
      const wordingHash = createHash('sha256').update(capture.wording, 'utf8').digest('hex');
      return {
        id: randomUUID(),
        tenantId: tenant.tenantId,
        brand: capture.brand,
        campaign: capture.campaign,
        recipient: check.recipient,
        recipientToken: this.pseudonyms.token(tenant.tenantId, check.recipient),
        basis: capture.basis,
        source: capture.source,
        capturedAt: new Date(capture.capturedAt).toISOString(),
        wording: capture.wording,
        wordingHash,
        wordingVersion: capture.wordingVersion ?? `sha256:${wordingHash.slice(0, 12)}`,
        evidence: Object.fromEntries(Object.entries(capture.evidence).filter((e): e is [string, string] => e[1] !== undefined)),
        channel,
        captureId,
        chosenFrequency: capture.chosenFrequency ?? null,
      };
    });
    const toInsert = outcomes.filter((o): o is NewConsentRecord => 'recipientToken' in o);
    const ids = await this.consentRecords.insertRecords(toInsert);
    await this.publisher.publishRaw(consentRecordedChanges(toInsert, (r) => ids.get(r.id) ?? r.id));
    return outcomes.map((o) => ('recipientToken' in o ? { ok: true as const, id: ids.get(o.id) ?? o.id } : o));
  }
}
