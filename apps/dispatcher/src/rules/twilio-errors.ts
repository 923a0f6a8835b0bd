import type { ClauseId, PauseRule, TwilioErrors } from '@sms/contracts';

/**
 * What to do after a failed call to Twilio's Messages API.
 * - retry: Twilio did not take the message (rate limit, connection refused): send again later,
 *   not before `retryAfterMs` when Twilio said how long to wait (Retry-After on a 429).
 * - pause: the answer is about the account, a sender or the credentials, not this message:
 *   sending pauses for that scope and the message waits with the others (see `pauses`).
 * - in-doubt: Twilio may have taken it (5xx, connection lost mid-request): look it up before
 *   sending again, so a message never goes out twice.
 * - final: Twilio refused this message for good; the reason becomes its outcome.
 */
export type SendFailure =
  | { kind: 'retry'; reason: string; code: number | null; rateLimited: boolean; retryAfterMs: number | null }
  | { kind: 'pause'; reason: string; code: number; pause: PauseRule }
  | { kind: 'in-doubt'; reason: string; code: number | null }
  | { kind: 'final'; reason: string; code: number; optOut: boolean; clauses: ClauseId[]; twilioMessage: string };

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Twilio's code for "authentication failed": a 401 without a body means the same. */
const AUTHENTICATION_FAILED = 20003;
/** A Retry-After longer than this is read as this: a wrong header must not stop sending for hours. */
export const MAX_RETRY_AFTER_MS = 600_000;

/** The pause an error code calls for, if it is about the account, a sender or the credentials. */
export function pauseFor(data: TwilioErrors, code: number | null | undefined): PauseRule | null {
  return code === null || code === undefined ? null : (data.pauses.codes[String(code)] ?? null);
}

/**
 * A Retry-After header's wait in milliseconds: delay-seconds or an HTTP-date (RFC 9110
 * section 10.2.3), at most MAX_RETRY_AFTER_MS; null when absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : /[a-z]/i.test(value) ? Date.parse(value) - nowMs : NaN;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : null;
}

export function classifySendError(data: TwilioErrors, error: { status?: number; code?: number | string; message?: string }, answer: { retryAfterMs?: number | null } = {}): SendFailure {
  const status = typeof error.status === 'number' ? error.status : undefined;
  const code = typeof error.code === 'number' ? error.code : status === 401 ? AUTHENTICATION_FAILED : null;
  const message = error.message ?? 'unknown error';
  if (status === undefined) {
    // No HTTP answer: a network error.
    if (typeof error.code === 'string' && NOT_CONNECTED.has(error.code)) return { kind: 'retry', reason: `network: ${error.code}`, code: null, rateLimited: false, retryAfterMs: null };
    return { kind: 'in-doubt', reason: `network: ${typeof error.code === 'string' ? error.code : message}`, code: null };
  }
  const described = `HTTP ${status}${code !== null ? ` code ${code}` : ''}: ${message}`;
  // Whatever its code, a 401 says the credentials were refused: nothing this instance sends can pass.
  const pause = pauseFor(data, status === 401 ? AUTHENTICATION_FAILED : code);
  if (pause) return { kind: 'pause', reason: `${pause.reason} (${described})`, code: code ?? AUTHENTICATION_FAILED, pause };
  if (status === 429 || (code !== null && data.retryCodes.codes.includes(code))) {
    const rateLimited = status === 429 || code === 20429;
    return { kind: 'retry', reason: described, code, rateLimited, retryAfterMs: rateLimited ? (answer.retryAfterMs ?? null) : null };
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

/**
 * The pause a `failed` or `undelivered` status from Twilio (callback or lookup) calls for: the
 * message never reached the person because of the account or its sender (63038, 30022, 30032,
 * 30034), so it waits with the others of its scope instead of ending there. Null otherwise.
 */
export function pausedByStatus(data: TwilioErrors, status: string, errorCode: number | undefined): PauseRule | null {
  if ((status !== 'failed' && status !== 'undelivered') || errorCode === undefined) return null;
  const pause = pauseFor(data, errorCode);
  return pause && pause.scope !== 'credentials' ? pause : null;
}
