import { z } from 'zod';
import { TenantIdSchema, TimestampSchema } from './common.js';

/**
 * The latest opt-out state of one recipient at one scope, on a compacted topic so that the
 * dispatcher can keep a view of it and re-check at the last moment (MP.OPTOUT.HONOR): opted
 * out, or marketing paused while a compliance reviewer decides whether an unclear reply was an
 * opt-out. The recipient is a keyed hash: the topic never carries a phone number in clear.
 */
export const ConsentStateEventSchema = z.strictObject({
  tenantId: TenantIdSchema,
  /** "tenant" (every brand), "brand:<name>" or "sender:<E.164>". */
  scope: z.string().min(1).max(200),
  recipientToken: z.string().min(8).max(64),
  optedOut: z.boolean(),
  /**
   * Marketing to the person is paused at this scope: an unclear reply awaits its opt-out
   * review. Present (true) only on a pause; absent means not paused, so opt-outs and opt-ins
   * read the same as before the field existed (a reader that predates it refuses only pauses).
   */
  marketingPaused: z.boolean().optional(),
  reason: z.string().max(500),
  changedAt: TimestampSchema,
});
export type ConsentStateEvent = z.infer<typeof ConsentStateEventSchema>;

/** The compacted topic's key: one entry per (tenant, scope, recipient). */
export function consentStateKey(state: Pick<ConsentStateEvent, 'tenantId' | 'scope' | 'recipientToken'>): string {
  return `${state.tenantId}|${state.scope}|${state.recipientToken}`;
}

/**
 * The opt-out scopes that can stop a message: the whole tenant, the message's brand, and
 * the sender number(s) it may go out from. An opt-out recorded at any of them applies.
 */
export function scopesForMessage(message: { brand: string; from?: string | undefined }, senderPool: readonly string[] = []): string[] {
  const senders = message.from !== undefined ? [message.from] : senderPool;
  return ['tenant', `brand:${message.brand}`, ...senders.map((s) => `sender:${s}`)];
}
