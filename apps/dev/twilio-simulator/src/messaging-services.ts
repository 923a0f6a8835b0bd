import { z } from 'zod';
import { E164, MESSAGING_SERVICE_SID } from './addresses.js';
import type { AdvancedOptOut } from './opt-outs.js';

const keywordList = z.array(z.string().trim().min(1).max(40).regex(/^\S+$/, 'must be a single word')).max(50);

export const messagingServiceSchema = z.strictObject({
  sid: z.string().regex(MESSAGING_SERVICE_SID, 'must be MG followed by 32 hex digits'),
  numbers: z.array(z.string().regex(E164, 'must be an E.164 number such as +14155550100')).min(1).max(10_000),
  /** Advanced Opt-Out: custom keywords (added to Twilio's) and who answers an opt-out. Absent: Twilio's standard handling. */
  advancedOptOut: z
    .strictObject({
      keywords: z.strictObject({ STOP: keywordList.optional(), START: keywordList.optional(), HELP: keywordList.optional() }).default({}),
      optOutReply: z.enum(['twilio', 'application']).default('twilio'),
    })
    .optional(),
});

export type MessagingService = z.infer<typeof messagingServiceSchema>;

/**
 * Sender pools of messaging services. When a send names only a MessagingServiceSid, Twilio picks
 * a number from the service's pool and, with Sticky Sender, keeps using the same one for a
 * recipient; a hash of the recipient gives that without remembering anything per recipient.
 */
export class MessagingServices {
  private readonly pools = new Map<string, readonly string[]>();
  private readonly serviceByNumber = new Map<string, string>();
  private readonly optOutSettings = new Map<string, AdvancedOptOut>();

  register(service: MessagingService): void {
    this.remove(service.sid);
    const numbers = [...new Set(service.numbers)];
    this.pools.set(service.sid, numbers);
    if (service.advancedOptOut) this.optOutSettings.set(service.sid, service.advancedOptOut);
    for (const number of numbers) this.serviceByNumber.set(number, service.sid);
  }

  /** The sender for `to`, or null when the service has no registered pool. */
  pick(sid: string, to: string): string | null {
    const pool = this.pools.get(sid);
    if (!pool || pool.length === 0) return null;
    return pool[fnv1a(to) % pool.length] ?? null;
  }

  /** Whether a pool is registered for this service. */
  has(sid: string): boolean {
    return this.pools.has(sid);
  }

  /** The service whose pool holds this number, if any (inbound messages to it carry its SID). */
  serviceOf(number: string): string | null {
    return this.serviceByNumber.get(number) ?? null;
  }

  /** The service's Advanced Opt-Out settings, if it has them. */
  advancedOptOut(sid: string): AdvancedOptOut | undefined {
    return this.optOutSettings.get(sid);
  }

  list(): MessagingService[] {
    return [...this.pools].map(([sid, numbers]) => {
      const advancedOptOut = this.optOutSettings.get(sid);
      return { sid, numbers: [...numbers], ...(advancedOptOut ? { advancedOptOut: { keywords: structuredClone(advancedOptOut.keywords), optOutReply: advancedOptOut.optOutReply } } : {}) };
    });
  }

  clear(): void {
    this.pools.clear();
    this.serviceByNumber.clear();
    this.optOutSettings.clear();
  }

  private remove(sid: string): void {
    for (const number of this.pools.get(sid) ?? []) {
      if (this.serviceByNumber.get(number) === sid) this.serviceByNumber.delete(number);
    }
    this.pools.delete(sid);
    this.optOutSettings.delete(sid);
  }
}

/** 32-bit FNV-1a: a stable, well-spread hash of a short string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
