import type { ConsentChangeEvent } from '@sms/contracts';
import { record, type OutgoingRecord } from '@sms/kafka';
import type { Context } from '@sms/tracing';
import type { NewConsentRecord } from '../consents/consent-records.repository.js';
import type { NewOptEvent } from './opt-events.repository.js';

const KIND = { opt_out: 'opted_out', opt_in: 'opted_in', pause: 'marketing_paused' } as const;

const key = (tenantId: string, recipientToken: string) => `${tenantId}|${recipientToken}`;

/**
 * The change events audit keeps as the history of a person's consent (AUP.REPORTING). Their
 * ids are stable across redeliveries (the record id; the inbound message and kind of an opt
 * event), so audit records each change once.
 */
export function consentRecordedChanges(records: NewConsentRecord[], idOf: (r: NewConsentRecord) => string): OutgoingRecord[] {
  return records.map((r) => {
    const change: ConsentChangeEvent = {
      changeId: idOf(r),
      tenantId: r.tenantId,
      recipientToken: r.recipientToken,
      kind: 'consent_recorded',
      at: r.capturedAt,
      brand: r.brand,
      campaign: r.campaign,
      basis: r.basis,
      source: r.source,
      proof: { recordId: idOf(r), wording: r.wording, wordingHash: r.wordingHash, ...(r.wordingVersion ? { wordingVersion: r.wordingVersion } : {}), evidence: r.evidence },
    };
    return record('consentChanges', key(r.tenantId, r.recipientToken), change);
  });
}

export function optEventChanges(events: (NewOptEvent & { inboundBody?: string })[], contextOf: (e: NewOptEvent) => Context | undefined): OutgoingRecord[] {
  return events.map((e) => {
    const change: ConsentChangeEvent = {
      changeId: e.inboundTwilioSid ? `${e.inboundTwilioSid}:${e.kind}` : e.id,
      tenantId: e.tenantId,
      recipientToken: e.recipientToken,
      kind: KIND[e.kind],
      at: e.at,
      scope: e.scope,
      source: e.source,
      proof: {
        ...(e.inboundTwilioSid ? { inboundTwilioSid: e.inboundTwilioSid } : {}),
        ...(e.inboundBody !== undefined ? { inboundBody: e.inboundBody } : {}),
        ...(e.keyword ? { keyword: e.keyword } : {}),
        ...(e.confidence !== null ? { confidence: e.confidence } : {}),
        ...(e.evidence ? { evidence: { matched: e.evidence } } : {}),
        ...(e.replyMessageId ? { confirmationMessageId: e.replyMessageId } : {}),
      },
    };
    return record('consentChanges', key(e.tenantId, e.recipientToken), change, contextOf(e));
  });
}

export function ageVerifiedChange(v: { id: string; tenantId: string; recipientToken: string; method: string; verifiedAt: string; reference: string | null }): OutgoingRecord {
  const change: ConsentChangeEvent = {
    changeId: v.id,
    tenantId: v.tenantId,
    recipientToken: v.recipientToken,
    kind: 'age_verified',
    at: v.verifiedAt,
    source: 'api',
    proof: { verificationMethod: v.method, ...(v.reference ? { evidence: { reference: v.reference } } : {}) },
  };
  return record('consentChanges', key(v.tenantId, v.recipientToken), change);
}
