import type { RelationshipEvent } from '@sms/contracts';
import type { CaptureInput } from '../rules/check-capture.js';

/**
 * A relationship event (an appointment booked, an order placed) recorded as a
 * prior-relationship consent, with the upstream record as its proof
 * (MP.CONSENT.PRIOR_RELATIONSHIP). It covers informational messages of that campaign only.
 */
export function relationshipAsCapture(event: RelationshipEvent): CaptureInput {
  return {
    to: event.to,
    brand: event.brand,
    campaign: event.campaign,
    basis: 'prior_relationship',
    source: `relationship:${event.action}`,
    capturedAt: event.occurredAt,
    wording: `${event.action.replaceAll('_', ' ')}: ${event.reference}`,
    evidence: { reference: event.reference },
  };
}
