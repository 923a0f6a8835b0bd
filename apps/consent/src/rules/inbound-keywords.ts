/**
 * What an inbound text asks for. Twilio's standard keywords (and REVOKE, OPTOUT, "opt out")
 * are matched as the whole message, in any case, with surrounding spaces and punctuation.
 */
export type InboundIntent =
  | { kind: 'opt_out'; keyword: string }
  | { kind: 'opt_in'; keyword: string }
  | { kind: 'help'; keyword: string }
  | { kind: 'message' };

/** MP.OPTOUT.HONOR / MP.OPTOUT.LANGUAGE: the standard opt-out keywords. */
export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'] as const;
export const OPT_IN_KEYWORDS = ['START', 'YES', 'UNSTOP'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

function normaliseKeyword(body: string): string {
  return body
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim()
    .toUpperCase()
    .replace(/^OPT OUT$/, 'OPTOUT');
}

export function classifyInbound(body: string): InboundIntent {
  const word = normaliseKeyword(body);
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return { kind: 'opt_out', keyword: word };
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return { kind: 'opt_in', keyword: word };
  if ((HELP_KEYWORDS as readonly string[]).includes(word)) return { kind: 'help', keyword: word };
  return { kind: 'message' };
}
