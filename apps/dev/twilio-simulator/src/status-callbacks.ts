import { randomUUID } from 'node:crypto';
import { sleep } from '@sms/util';
import { API_VERSION } from './message-resource.js';
import type { MessageStatus, StoredMessage } from './message-store.js';
import type { WebhookClient } from './webhook-client.js';

export interface RetryPolicy {
  /** Attempts per callback, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CALLBACK_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 200, maxDelayMs: 2_000 };

/** How a message's delivery ends, and how long it first waits in Twilio's queue (ms, default none). */
export type Outcome = ({ status: 'delivered' } | { status: 'undelivered' | 'failed'; errorCode: number }) & { queuedMs?: number };

export interface DeliveryOptions {
  accountSid: string;
  client: WebhookClient;
  /** Delay before each status change (and its callback). */
  delayMs: number;
  retry: RetryPolicy;
  log: (line: string) => void;
}

/**
 * Plays each accepted message's delivery: after each delay the stored status moves on
 * (queued, sent, then delivered/undelivered; queued then failed) and, when the send named a
 * StatusCallback, Twilio's callback for that status is posted. One message's callbacks go out
 * strictly in order (the next waits for the previous, retries included); different messages
 * never wait for each other, and nothing here ever holds up the API.
 */
export class DeliverySimulator {
  private controller = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private readonly drops = new RateLimitedLog();

  constructor(private readonly options: DeliveryOptions) {}

  start(message: StoredMessage, outcome: Outcome): void {
    const signal = this.controller.signal;
    const run = this.play(message, outcome, signal).catch((error: unknown) => {
      // Stopping on reset or close is intended; anything else is a bug worth a line.
      if (!signal.aborted) this.options.log(`delivery of ${message.sid} stopped: ${String(error)}`);
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Stops every delivery in progress (their remaining callbacks are never sent). */
  reset(): void {
    this.controller.abort(new Error('simulator state reset'));
    this.controller = new AbortController();
  }

  async close(): Promise<void> {
    this.controller.abort(new Error('simulator closing'));
    await Promise.allSettled([...this.running]);
  }

  private async play(message: StoredMessage, outcome: Outcome, signal: AbortSignal): Promise<void> {
    // Twilio posts no callback for the initial status (queued; accepted through a messaging
    // service), only for each change after it: accepted -> queued, then sent and delivered or
    // undelivered, or failed straight from the queue (30001 queue overflow, for one)
    // (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks).
    const steps: MessageStatus[] = [...(message.status === 'accepted' ? (['queued'] as const) : []), ...(outcome.status === 'failed' ? (['failed'] as const) : (['sent', outcome.status] as const))];
    // The status moves on schedule whatever happens to the callbacks (as at Twilio); the callbacks
    // follow in order behind it, each waiting for the previous one (and its retries).
    let callbacks = Promise.resolve();
    for (const status of steps) {
      // A message waits in Twilio's queue before it is sent (or fails there).
      const queued = status === 'sent' || status === 'failed' ? (outcome.queuedMs ?? 0) : 0;
      await sleep(this.options.delayMs + queued, signal);
      message.status = status;
      message.updatedAt = Date.now();
      if (status === 'sent') message.sentAt = message.updatedAt;
      if (status === 'failed' || status === 'undelivered') message.errorCode = 'errorCode' in outcome ? outcome.errorCode : null;
      const url = message.statusCallback;
      if (url === null) continue;
      const params = statusCallbackParams(message, this.options.accountSid);
      // notify() only throws when aborted (reset or close): nothing left to do then.
      callbacks = callbacks.then(() => this.notify(message.sid, url, params, signal)).catch(() => undefined);
    }
    await callbacks;
  }

  private async notify(sid: string, url: string, params: Record<string, string>, signal: AbortSignal): Promise<void> {
    const { attempts, initialDelayMs, maxDelayMs } = this.options.retry;
    const idempotencyToken = randomUUID();
    let problem = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        // Exponential backoff with jitter in the upper half, so retries stay spread but never immediate.
        const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
        await sleep(Math.round(cap / 2 + (Math.random() * cap) / 2), signal);
      }
      try {
        const response = await this.options.client.post({ url, params, signal, idempotencyToken });
        if (response.status < 500) {
          // A 4xx is the receiver's considered answer (e.g. a bad signature): retrying cannot change it.
          if (response.status >= 400) this.drops.write(this.options.log, url, `status callback ${params.MessageStatus} of ${sid} to ${url} answered ${response.status}; not retried`);
          return;
        }
        problem = `HTTP ${response.status}`;
      } catch (error) {
        if (signal.aborted) throw error;
        problem = error instanceof Error ? error.message : String(error);
      }
    }
    this.drops.write(this.options.log, url, `status callback ${params.MessageStatus} of ${sid} to ${url} dropped after ${attempts} attempts: ${problem}`);
  }
}

/** The parameters Twilio posts to a StatusCallback URL for an outbound SMS. */
export function statusCallbackParams(message: StoredMessage, accountSid: string): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: API_VERSION,
    MessageSid: message.sid,
    MessageStatus: message.status,
    SmsSid: message.sid,
    SmsStatus: message.status,
    To: message.to,
  };
  if (message.from !== null) params.From = message.from;
  if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
  if (message.errorCode !== null && (message.status === 'failed' || message.status === 'undelivered')) params.ErrorCode = String(message.errorCode);
  return params;
}

/**
 * At most one line a second per callback URL: when a receiver is down under load, every
 * message's callback is dropped, and one line per message would drown the log.
 */
class RateLimitedLog {
  private readonly byUrl = new Map<string, { lastAt: number; suppressed: number }>();

  write(log: (line: string) => void, url: string, line: string): void {
    const now = Date.now();
    const state = this.byUrl.get(url);
    if (state && now - state.lastAt < 1_000) {
      state.suppressed++;
      return;
    }
    log(state && state.suppressed > 0 ? `${line} (and ${state.suppressed} similar since the previous line)` : line);
    // Bounded: status callback URLs may differ per message.
    if (!state && this.byUrl.size >= 1_000) this.byUrl.clear();
    this.byUrl.set(url, { lastAt: now, suppressed: 0 });
  }
}
