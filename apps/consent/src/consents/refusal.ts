import { ProblemException } from '@sms/nest-runtime';
import type { CaptureOutcome } from './consent-capture.service.js';

/** The HTTP answer to a refused consent: 422 when a clause refused it, 400 when the input was wrong. */
export function refusal(outcome: CaptureOutcome | undefined): ProblemException {
  if (!outcome || outcome.ok) return new ProblemException(500, 'internal', 'Internal error', 'no refusal to report');
  const status = outcome.clause === null ? 400 : 422;
  return new ProblemException(
    status,
    outcome.clause === 'MP.CONSENT.NOT_PURCHASED' ? 'consent-not-purchasable' : status === 422 ? 'consent-out-of-scope' : 'validation',
    outcome.clause === 'MP.CONSENT.NOT_PURCHASED' ? 'Consent refused' : 'Invalid consent',
    outcome.problems.map((p) => `body.${p.path}: ${p.message}`).join('; '),
    outcome.problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
  );
}
