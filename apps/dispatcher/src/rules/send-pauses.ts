import type { PauseRule } from '@sms/contracts';

/** The scope key of the account-wide pause (a sender key always holds a "|"). */
export const ACCOUNT_SCOPE = 'account';

/** How long timed pauses last (configuration: DAILY_LIMIT_RECHECK_MS, RATE_PAUSE_MS, RATE_PAUSE_MAX_MS). */
export interface PauseTimings {
  /** `recheck`: the wait before sending is tried again. */
  recheckMs: number;
  /** `backoff`: the first wait, doubled each time the pause recurs soon after it ended. */
  backoffMs: number;
  backoffMaxMs: number;
}

/** A pause as stored for its scope: until when (null: until an operator clears it), since when, and how often it recurred. */
export interface PauseState {
  untilMs: number | null;
  sinceMs: number;
  hits: number;
}

export function pauseActive(pause: Pick<PauseState, 'untilMs'>, nowMs: number): boolean {
  return pause.untilMs === null || pause.untilMs > nowMs;
}

/**
 * The pause an error leads to, given the one stored for its scope. A pause still running stays
 * as it is (a message that meets the error again waits for the same end), except that an
 * operator's pause replaces a timed one. A timed pause that recurs within RATE_PAUSE_MAX_MS of
 * its end waits twice as long as the last one (backoff), up to RATE_PAUSE_MAX_MS. `started` says
 * whether a pause began here (and operators are to be alerted).
 */
export function nextPause(rule: PauseRule, stored: PauseState | null, nowMs: number, timings: PauseTimings): PauseState & { started: boolean } {
  const active = stored !== null && pauseActive(stored, nowMs);
  if (rule.resume === 'operator') {
    if (active && stored.untilMs === null) return { ...stored, started: false };
    return { untilMs: null, sinceMs: nowMs, hits: (stored?.hits ?? 0) + 1, started: true };
  }
  if (active) return { ...stored, started: false };
  const recurring = stored !== null && stored.untilMs !== null && nowMs - stored.untilMs < timings.backoffMaxMs;
  const hits = recurring ? stored.hits + 1 : 1;
  const waitMs = rule.resume === 'recheck' ? timings.recheckMs : Math.min(timings.backoffMaxMs, timings.backoffMs * 2 ** Math.min(hits - 1, 30));
  return { untilMs: nowMs + waitMs, sinceMs: nowMs, hits, started: true };
}

/** What a paused message's status says: which scope waits, why, for which Twilio error, and until when. */
export function pauseDescription(rule: Pick<PauseRule, 'reason'>, code: number, scope: string, untilMs: number | null): string {
  const who = scope === ACCOUNT_SCOPE ? 'sending from the Twilio account' : `sending from ${senderOfScope(scope)}`;
  const until = untilMs === null ? 'until an operator clears the pause' : `until ${new Date(untilMs).toISOString()}`;
  return `${who} is paused ${until}: ${rule.reason} (Twilio error ${code}); the message waits, nothing is failed for it`;
}

/** The sender number or messaging service of a sender key ("<tenant>|<sender>"). */
export function senderOfScope(scope: string): string {
  return scope.slice(scope.indexOf('|') + 1);
}

/** The tenant of a sender key; null for the account. */
export function tenantOfScope(scope: string): string | null {
  return scope === ACCOUNT_SCOPE ? null : scope.slice(0, scope.indexOf('|'));
}
