import type { ClauseId, ConsentCapture, ConsentSource, TenantConfigEvent } from '@sms/contracts';
import { describePhoneNumberProblem, parseInternationalNumber } from '@sms/domain';

/** A consent to record: from the API or topic, or a relationship event (source "relationship:<action>"). */
export type CaptureInput = Omit<ConsentCapture, 'source' | 'evidence'> & { source: ConsentSource | `relationship:${string}`; evidence: Record<string, string | undefined> };

export interface CaptureProblem {
  path: string;
  message: string;
}

export type CaptureCheck = { ok: true; recipient: string } | { ok: false; clause: ClauseId | null; problems: CaptureProblem[] };

/** MP.CONSENT.NOT_PURCHASED: consent cannot be bought, sold or exchanged. */
export const REFUSED_SOURCES: readonly ConsentSource[] = ['purchased_list', 'rented_list', 'shared_list'];

/** A captured-at this far in the future is a clock error or a forgery, not a consent. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Can this capture be recorded as consent? A list that was bought, rented or shared never
 * counts; brand and campaign must be the tenant's (MP.CONSENT.SCOPE); the recipient must be
 * a real international number.
 */
export function checkCapture(capture: CaptureInput, tenant: TenantConfigEvent, now: Date): CaptureCheck {
  if ((REFUSED_SOURCES as readonly string[]).includes(capture.source)) {
    return {
      ok: false,
      clause: 'MP.CONSENT.NOT_PURCHASED',
      problems: [{ path: 'source', message: `consent from a ${capture.source.replace('_', ' ')} is not consent: it cannot be bought, rented or shared (MP.CONSENT.NOT_PURCHASED)` }],
    };
  }
  const problems: CaptureProblem[] = [];
  const to = parseInternationalNumber(capture.to);
  if (!to.ok) problems.push({ path: 'to', message: describePhoneNumberProblem(to.problem) });
  if (!tenant.brands.some((b) => b.name === capture.brand)) {
    problems.push({ path: 'brand', message: `brand "${capture.brand}" is not registered for this tenant` });
  }
  const campaign = tenant.campaigns.find((c) => c.id === capture.campaign);
  if (!campaign) problems.push({ path: 'campaign', message: `campaign "${capture.campaign}" is not registered for this tenant` });
  else if (campaign.brand !== capture.brand) {
    problems.push({ path: 'campaign', message: `campaign "${campaign.id}" belongs to brand "${campaign.brand}", not "${capture.brand}"` });
  } else if (capture.basis === 'prior_relationship' && campaign.useCase !== 'informational') {
    problems.push({
      path: 'campaign',
      message: `campaign "${campaign.id}" is ${campaign.useCase}: a prior relationship covers informational messages only (MP.CONSENT.PRIOR_RELATIONSHIP)`,
    });
  }
  if (Date.parse(capture.capturedAt) > now.getTime() + CLOCK_SKEW_MS) {
    problems.push({ path: 'capturedAt', message: 'is in the future' });
  }
  if (problems.length > 0 || !to.ok) return { ok: false, clause: problems.some((p) => p.path === 'brand' || p.path === 'campaign') ? 'MP.CONSENT.SCOPE' : null, problems };
  return { ok: true, recipient: to.value.e164 };
}
