/** The statuses of Twilio's `message_enum_status` that the simulator reports (`received`: an inbound message). */
export const MESSAGE_STATUSES = ['accepted', 'queued', 'sent', 'delivered', 'undelivered', 'failed', 'received'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface StoredMessage {
  /** Order of arrival; paging and eviction follow it. */
  readonly seq: number;
  readonly sid: string;
  /** `inbound`: a text a phone sent to one of the account's numbers (POST /sim/inbound); absent: a message sent through the API. */
  readonly direction?: 'outbound-api' | 'outbound-reply' | 'inbound';
  readonly to: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  readonly body: string;
  readonly numSegments: number;
  readonly numMedia: number;
  /** When the simulator ("Twilio") received the create request, epoch ms: pacing is measured on it. */
  readonly receivedAt: number;
  readonly statusCallback: string | null;
  status: MessageStatus;
  /** When Twilio handed the message on (status `sent`), epoch ms; null while it waits in Twilio's queue, and for a message that failed there. */
  sentAt: number | null;
  errorCode: number | null;
  updatedAt: number;
}

export type NewMessage = Omit<StoredMessage, 'seq'>;

export interface MessageQuery {
  to?: string | undefined;
  from?: string | undefined;
  /** Inclusive bounds on the time the message was sent (epoch ms). */
  sentFrom?: number | undefined;
  sentUntil?: number | undefined;
}

export interface PageRequest {
  pageSize: number;
  /** Where the page starts: after (older than) or before (newer than) a message, or an offset. */
  start: { after: string } | { before: string } | { offset: number };
}

/**
 * The messages the simulator took, bounded: past `capacity` the oldest is forgotten.
 * Creating, fetching and evicting are O(1) (a ring buffer by arrival plus a map by SID);
 * only listing scans, and a listing by recipient scans just that recipient's messages.
 */
export class MessageStore {
  private readonly ring: (StoredMessage | undefined)[] = [];
  private readonly bySid = new Map<string, StoredMessage>();
  private readonly byRecipient = new Map<string, StoredMessage[]>();
  private nextSeq = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.bySid.size;
  }

  add(message: NewMessage): StoredMessage {
    const stored: StoredMessage = { ...message, seq: this.nextSeq++ };
    const slot = stored.seq % this.capacity;
    const evicted = this.ring[slot];
    if (evicted) this.forget(evicted);
    this.ring[slot] = stored;
    this.bySid.set(stored.sid, stored);
    const own = this.byRecipient.get(stored.to);
    if (own) own.push(stored);
    else this.byRecipient.set(stored.to, [stored]);
    return stored;
  }

  get(sid: string): StoredMessage | undefined {
    return this.bySid.get(sid);
  }

  /** Matching messages, oldest first ("newest last"). */
  list(query: MessageQuery = {}): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const m of this.oldestFirst(query.to)) if (matches(m, query)) out.push(m);
    return out;
  }

  /** One page of matching messages, newest first, as Twilio lists them. */
  page(query: MessageQuery, request: PageRequest): StoredMessage[] {
    const { pageSize, start } = request;
    if ('before' in start) {
      // The page just newer than a message: the nearest `pageSize` matches above it.
      const anchor = this.bySid.get(start.before);
      const newer: StoredMessage[] = [];
      for (const m of this.oldestFirst(query.to)) {
        if (anchor && m.seq <= anchor.seq) continue;
        if (!matches(m, query)) continue;
        newer.push(m);
        if (newer.length === pageSize) break;
      }
      return newer.reverse();
    }
    let below = Infinity;
    let skip = 0;
    if ('after' in start) {
      const anchor = this.bySid.get(start.after);
      // The anchor was forgotten, and with it everything older: nothing left after it.
      if (!anchor) return [];
      below = anchor.seq;
    } else {
      skip = start.offset;
    }
    const out: StoredMessage[] = [];
    for (const m of this.newestFirst(query.to)) {
      if (m.seq >= below || !matches(m, query)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(m);
      if (out.length === pageSize) break;
    }
    return out;
  }

  /** Messages from arrival number `seq` on (those not yet forgotten), oldest first, at most `limit`. */
  since(seq: number, limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (let n = Math.max(seq, this.nextSeq - this.bySid.size, 0); n < this.nextSeq && out.length < limit; n++) {
      const m = this.ring[n % this.capacity];
      if (m && m.seq === n) out.push(m);
    }
    return out;
  }

  clear(): void {
    this.ring.length = 0;
    this.bySid.clear();
    this.byRecipient.clear();
    this.nextSeq = 0;
  }

  private forget(message: StoredMessage): void {
    this.bySid.delete(message.sid);
    const own = this.byRecipient.get(message.to);
    if (!own) return;
    // The evicted message is the oldest of all, hence the first of its recipient's.
    if (own[0] === message) own.shift();
    else own.splice(own.indexOf(message), 1);
    if (own.length === 0) this.byRecipient.delete(message.to);
  }

  private *oldestFirst(to: string | undefined): Generator<StoredMessage> {
    if (to !== undefined) {
      yield* this.byRecipient.get(to) ?? [];
      return;
    }
    const first = Math.max(0, this.nextSeq - this.capacity);
    for (let seq = first; seq < this.nextSeq; seq++) {
      const m = this.ring[seq % this.capacity];
      if (m?.seq === seq) yield m;
    }
  }

  private *newestFirst(to: string | undefined): Generator<StoredMessage> {
    if (to !== undefined) {
      const own = this.byRecipient.get(to) ?? [];
      for (let i = own.length - 1; i >= 0; i--) yield own[i] as StoredMessage;
      return;
    }
    const last = Math.max(0, this.nextSeq - this.capacity);
    for (let seq = this.nextSeq - 1; seq >= last; seq--) {
      const m = this.ring[seq % this.capacity];
      if (m?.seq === seq) yield m;
    }
  }
}

function matches(m: StoredMessage, query: MessageQuery): boolean {
  if (query.to !== undefined && m.to !== query.to) return false;
  if (query.from !== undefined && m.from !== query.from) return false;
  if (query.sentFrom === undefined && query.sentUntil === undefined) return true;
  // A message not sent yet has no date_sent, so no DateSent filter finds it (as at Twilio).
  if (m.sentAt === null) return false;
  // Twilio's date_sent has whole seconds; filter on what clients can see.
  const sent = Math.floor(m.sentAt / 1000) * 1000;
  if (query.sentFrom !== undefined && sent < query.sentFrom) return false;
  if (query.sentUntil !== undefined && sent > query.sentUntil) return false;
  return true;
}
