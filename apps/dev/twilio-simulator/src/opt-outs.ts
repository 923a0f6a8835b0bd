/**
 * Twilio's opt-out handling, as Twilio documents it:
 *
 * - "Twilio support for opt-out keywords (SMS STOP filtering)": a single-word reply STOP,
 *   STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT (REVOKE and OPTOUT too, in the current list of
 *   "Customize users' opt-in and opt-out experience with Advanced Opt-Out") creates a block
 *   entry for that handset, Twilio answers with its standard reply, and the message is still
 *   passed on to the webhook. START, YES and UNSTOP remove the entry; HELP and INFO get the
 *   standard help reply.
 * - Error 21610 ("Attempt to send to unsubscribed recipient",
 *   https://www.twilio.com/docs/api/errors/21610): "The person you are trying to message has
 *   opted out of receiving messages from your Twilio phone number, Channels sender, or
 *   Messaging Service ... You will not be able to send to the phone number specified in the
 *   'To' parameter until the subscriber ... has responded with START."
 * - Messaging Services opt-out: an opt-out to any number of a Messaging Service's sender pool
 *   opts the handset out of the whole service; without a service, of that number alone.
 * - Advanced Opt-Out (a Messaging Service feature, https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out):
 *   custom opt-out, opt-in and help keywords (any language), reported in the webhook's
 *   OptOutType, and the confirmation texts. Modelled here: `optOutReply: 'application'` is a
 *   service whose opt-out confirmation Twilio leaves to the application. Twilio's pages do not
 *   say how the application's own confirmation passes the block; the simulator lets the
 *   service's first send to the handset after the opt-out through (that confirmation) and
 *   refuses every later one with 21610.
 */

export type KeywordKind = 'STOP' | 'START' | 'HELP';

export const DEFAULT_KEYWORDS: Readonly<Record<KeywordKind, readonly string[]>> = {
  STOP: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  START: ['START', 'YES', 'UNSTOP'],
  HELP: ['HELP', 'INFO'],
};

/** Twilio's standard replies (the same support article). */
export const DEFAULT_REPLIES: Readonly<Record<KeywordKind, string>> = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
  HELP: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
};

/** A Messaging Service's Advanced Opt-Out settings, as registered under /sim. */
export interface AdvancedOptOut {
  /** Custom keywords, added to Twilio's defaults. */
  keywords: Partial<Record<KeywordKind, string[]>>;
  /** Who answers an opt-out: Twilio (its confirmation text) or the application (Twilio sends none). */
  optOutReply: 'twilio' | 'application';
}

/** Which keyword a body is, if any: Twilio matches a single word, in any case, nothing else in the message. */
export function keywordOf(body: string, custom: AdvancedOptOut['keywords'] = {}): KeywordKind | null {
  const word = body.trim().toLocaleUpperCase('en-US');
  if (word === '') return null;
  for (const kind of ['STOP', 'START', 'HELP'] as const) {
    const words = [...DEFAULT_KEYWORDS[kind], ...(custom[kind] ?? []).map((k) => k.trim().toLocaleUpperCase('en-US'))];
    if (words.includes(word)) return kind;
  }
  return null;
}

interface Entry {
  /** The service's first send after the opt-out passes once, when the application answers opt-outs. */
  replyAllowed: boolean;
}

/**
 * Twilio's block list: handset by sender scope (the Messaging Service's SID, or the number
 * written to when it is in none). O(1) per check.
 */
export class OptOutBook {
  private readonly entries = new Map<string, Entry>();

  optOut(scope: string, handset: string, applicationReplies: boolean): void {
    this.entries.set(key(scope, handset), { replyAllowed: applicationReplies });
  }

  optIn(scope: string, handset: string): void {
    this.entries.delete(key(scope, handset));
  }

  isOptedOut(scope: string, handset: string): boolean {
    return this.entries.has(key(scope, handset));
  }

  /** Whether a send from this scope to this handset is refused with 21610 (using up the application's one reply). */
  refuses(scope: string, handset: string): boolean {
    const entry = this.entries.get(key(scope, handset));
    if (!entry) return false;
    if (entry.replyAllowed) {
      entry.replyAllowed = false;
      return false;
    }
    return true;
  }

  list(): { scope: string; handset: string }[] {
    return [...this.entries.keys()].map((k) => {
      const [scope, handset] = k.split('\n') as [string, string];
      return { scope, handset };
    });
  }

  clear(): void {
    this.entries.clear();
  }
}

const key = (scope: string, handset: string): string => `${scope}\n${handset}`;
