import type { ClauseId } from '@sms/contracts';
import type { TwilioErrors } from './dispatch-rule-data.js';

/**
 * What to do after a failed call to Twilio's Messages API.
 * - retry: Twilio did not take the message (rate limit, connection refused): send again later.
 * - in-doubt: Twilio may have taken it (5xx, connection lost mid-request): look it up before
 *   sending again, so a message never goes out twice.
 * - final: Twilio refused this message for good; the reason becomes its outcome.
 */
export type SendFailure =
  | { kind: 'retry'; reason: string; code: number | null; rateLimited: boolean }
  | { kind: 'in-doubt'; reason: string; code: number | null }
  | { kind: 'final'; reason: string; code: number; optOut: boolean; clauses: ClauseId[]; twilioMessage: string };

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifySendError(data: TwilioErrors, error: { status?: number; code?: number | string; message?: string }): SendFailure {
  const status = typeof error.status === 'number' ? error.status : undefined;
  const code = typeof error.code === 'number' ? error.code : null;
  const message = error.message ?? 'unknown error';
  if (status === undefined) {
    // No HTTP answer: a network error.
    if (typeof error.code === 'string' && NOT_CONNECTED.has(error.code)) return { kind: 'retry', reason: `network: ${error.code}`, code: null, rateLimited: false };
    return { kind: 'in-doubt', reason: `network: ${typeof error.code === 'string' ? error.code : message}`, code: null };
  }
  const described = `HTTP ${status}${code !== null ? ` code ${code}` : ''}: ${message}`;
  if (status === 429 || status === 401 || (code !== null && data.retryCodes.codes.includes(code))) {
    return { kind: 'retry', reason: described, code, rateLimited: status === 429 || code === 20429 };
  }
  if (status >= 500) return { kind: 'in-doubt', reason: described, code };
  const known = code !== null ? data.codes[String(code)] : undefined;
  return {
    kind: 'final',
    reason: known ? `${known.reason} (${described})` : described,
    code: code ?? status,
    optOut: known?.optOut === true,
    clauses: known?.clauses ?? [],
    twilioMessage: message,
  };
}

/** What a delivery error reported in a status callback means, from the error table. */
export function deliveryOutcome(data: TwilioErrors, errorCode: number | undefined): { reason: string; clauses: ClauseId[]; alert: 'content_filtered' | null } | null {
  if (errorCode === undefined) return null;
  const known = data.codes[String(errorCode)];
  if (!known) return null;
  return { reason: known.reason, clauses: known.clauses ?? [], alert: known.alert ?? null };
}

/**
 * Whether a `failed` status from Twilio (callback or lookup) means the message never left
 * Twilio's queue and is to be sent again (30001, queue overflow of a Messaging Service's pool),
 * rather than its final outcome.
 */
export function retriedFromQueue(data: TwilioErrors, status: string, errorCode: number | undefined): boolean {
  return status === 'failed' && errorCode !== undefined && data.callbackRetryCodes.codes.includes(errorCode);
}
