/**
 * What to do after a failed call to Twilio's Messages API.
 * - retry: Twilio did not take the message (rate limit, connection refused): send again later.
 * - in-doubt: Twilio may have taken it (5xx, connection lost mid-request): look it up before
 *   sending again, so a message never goes out twice.
 * - final: Twilio refused this message for good; the reason becomes its outcome.
 */
export type SendFailure =
  | { kind: 'retry'; reason: string; code: number | null }
  | { kind: 'in-doubt'; reason: string; code: number | null }
  | { kind: 'final'; reason: string; code: number; optOut: boolean };

/** Errors after which the recipient is known to have opted out at the carrier or Twilio. */
const OPT_OUT_CODES = new Set([21610]);

/** Failures that are about the account or service, not this message: retried, never final. */
const ACCOUNT_CODES = new Set([20003, 20005, 20429, 21611, 30001]);

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifySendError(error: { status?: number; code?: number | string; message?: string }): SendFailure {
  const status = typeof error.status === 'number' ? error.status : undefined;
  const code = typeof error.code === 'number' ? error.code : null;
  const message = error.message ?? 'unknown error';
  if (status === undefined) {
    // No HTTP answer: a network error.
    if (typeof error.code === 'string' && NOT_CONNECTED.has(error.code)) return { kind: 'retry', reason: `network: ${error.code}`, code: null };
    return { kind: 'in-doubt', reason: `network: ${typeof error.code === 'string' ? error.code : message}`, code: null };
  }
  if (status === 429 || (code !== null && ACCOUNT_CODES.has(code)) || status === 401) {
    return { kind: 'retry', reason: `HTTP ${status}${code !== null ? ` code ${code}` : ''}: ${message}`, code };
  }
  if (status >= 500) return { kind: 'in-doubt', reason: `HTTP ${status}${code !== null ? ` code ${code}` : ''}: ${message}`, code };
  return { kind: 'final', reason: `HTTP ${status}${code !== null ? ` code ${code}` : ''}: ${message}`, code: code ?? status, optOut: code !== null && OPT_OUT_CODES.has(code) };
}
