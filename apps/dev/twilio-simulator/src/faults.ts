import { z } from 'zod';
import { E164, isSenderAddress } from './addresses.js';
import { DELIVERY_ERRORS } from './twilio-errors.js';

/**
 * A fault to inject into the next sends (POST /sim/faults). An error status (4xx/5xx) makes the
 * API refuse the send with that Twilio error code; a 2xx status lets the send through and, with a
 * delivery error code, makes its status callbacks end in `failed` or `undelivered`.
 */
export const faultSpecSchema = z
  .strictObject({
    to: z.string().regex(E164, 'must be an E.164 number such as +14155550100').optional(),
    // Only sends from this sender (the From given, or the number a Messaging Service picked):
    // what Twilio refuses for a sender, such as an unregistered 10DLC number, hits all its sends.
    from: z.string().refine(isSenderAddress, 'must be a sender: E.164 number, short code or alphanumeric sender ID').optional(),
    status: z.number().int().min(200).max(599),
    code: z.number().int().positive().optional(),
    times: z.number().int().positive().optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    // The message is stored (and its callbacks run) although the client gets the error: an answer
    // lost after Twilio took the message, which a sender must settle by looking the message up.
    recordMessage: z.boolean().optional(),
    // How long a message it lets through (or records) waits in Twilio's queue before it is sent:
    // Twilio queues what a sender cannot send at once, and a queued message has no date_sent yet.
    queuedMs: z.number().int().min(0).max(3_600_000).optional(),
    // Seconds to send in a Retry-After header with the refusal (RFC 9110 section 10.2.3; RFC
    // 6585 section 4: a 429 "MAY include a Retry-After header"). Twilio's 20429 page documents
    // none (https://www.twilio.com/docs/api/errors/20429: "wait for a short period of time"), so
    // the simulator sends one only when a fault asks for it.
    retryAfter: z.number().int().min(0).max(3_600).optional(),
  })
  .superRefine((spec, ctx) => {
    const accepted = spec.status < 300;
    if (!accepted && spec.status < 400) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'must be 2xx (send accepted) or 4xx/5xx (send refused)' });
    }
    if (spec.status >= 400 && spec.code === undefined) {
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'is required with an error status (e.g. 429 with 20429)' });
    }
    if (accepted && spec.code !== undefined && !DELIVERY_ERRORS.has(spec.code)) {
      ctx.addIssue({
        code: 'custom',
        path: ['code'],
        message: `with a 2xx status must be a delivery error: ${[...DELIVERY_ERRORS.keys()].join(', ')} (or absent for a normal delivery)`,
      });
    }
    if (accepted && spec.recordMessage !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordMessage'], message: 'only applies to an error status' });
    }
    if (spec.queuedMs !== undefined && !accepted && spec.recordMessage !== true) {
      ctx.addIssue({ code: 'custom', path: ['queuedMs'], message: 'only applies to a message that is taken: a 2xx status, or recordMessage' });
    }
    if (spec.retryAfter !== undefined && spec.status !== 429 && spec.status !== 503) {
      ctx.addIssue({ code: 'custom', path: ['retryAfter'], message: 'only applies to a 429 or 503 refusal' });
    }
    if (spec.to !== undefined && spec.from !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'give a recipient (to) or a sender (from), not both' });
    }
  });

export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface Fault {
  id: string;
  to: string | null;
  /** Only sends from this sender; null for any sender. */
  from: string | null;
  status: number;
  code: number | null;
  /** Sends this fault still applies to; null for "until cleared". */
  remaining: number | null;
  latencyMs: number;
  recordMessage: boolean;
  /** How long a taken message waits in Twilio's queue before it is sent. */
  queuedMs: number;
  /** Seconds of the Retry-After header sent with the refusal; null: none. */
  retryAfter: number | null;
  /** Sends it has applied to so far. */
  hits: number;
  /** When it last applied to a send (ISO 8601 with milliseconds); null before the first. */
  lastHitAt: string | null;
}

/**
 * Active faults. A send to a recipient takes that recipient's oldest fault first, then its
 * sender's oldest, then the oldest global one; each use counts down `remaining` and a spent fault
 * disappears. Lookup is by recipient and sender so that a send never scans unrelated faults.
 */
export class FaultBook {
  private readonly byRecipient = new Map<string, Fault[]>();
  private readonly bySender = new Map<string, Fault[]>();
  private global: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = {
      id: `fault-${this.nextId++}`,
      to: spec.to ?? null,
      from: spec.from ?? null,
      status: spec.status,
      code: spec.code ?? null,
      remaining: spec.times ?? null,
      latencyMs: spec.latencyMs ?? 0,
      recordMessage: spec.recordMessage ?? false,
      queuedMs: spec.queuedMs ?? 0,
      retryAfter: spec.retryAfter ?? null,
      hits: 0,
      lastHitAt: null,
    };
    const [index, key] = fault.to !== null ? [this.byRecipient, fault.to] : fault.from !== null ? [this.bySender, fault.from] : [null, null];
    if (index === null) {
      this.global.push(fault);
    } else {
      const list = index.get(key);
      if (list) list.push(fault);
      else index.set(key, [fault]);
    }
    return fault;
  }

  /** The fault that applies to a send to `to` from `from` (null: no sender known), counted as used; undefined when none does. */
  take(to: string, from: string | null = null): Fault | undefined {
    const fault = this.byRecipient.get(to)?.[0] ?? (from !== null ? this.bySender.get(from)?.[0] : undefined) ?? this.global[0];
    if (!fault) return undefined;
    fault.hits++;
    fault.lastHitAt = new Date().toISOString();
    if (fault.remaining !== null && --fault.remaining === 0) this.remove(fault.id);
    return { ...fault };
  }

  /** Every active fault, oldest first. */
  list(): Fault[] {
    const all = [...this.global, ...[...this.byRecipient.values()].flat(), ...[...this.bySender.values()].flat()];
    return all.sort((a, b) => faultNumber(a) - faultNumber(b)).map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.global.length;
    this.global = this.global.filter((f) => f.id !== id);
    if (this.global.length !== before) return true;
    for (const index of [this.byRecipient, this.bySender]) {
      for (const [key, list] of index) {
        const at = list.findIndex((f) => f.id === id);
        if (at === -1) continue;
        list.splice(at, 1);
        if (list.length === 0) index.delete(key);
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.byRecipient.clear();
    this.bySender.clear();
    this.global = [];
  }

  get size(): number {
    let n = this.global.length;
    for (const index of [this.byRecipient, this.bySender]) for (const list of index.values()) n += list.length;
    return n;
  }
}

const faultNumber = (fault: Fault): number => Number(fault.id.slice('fault-'.length));
