import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SIGNATURE_HEADER, twilioSignature } from './twilio-signature.js';

export interface WebhookResponse {
  status: number;
  /** The start of the response body (Twilio reads TwiML from it); at most 64 KiB. */
  body: string;
}

export interface WebhookPost {
  url: string;
  params: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Twilio sends the same token with every retry of one webhook, so a receiver can deduplicate. */
  idempotencyToken?: string | undefined;
  /** A fresh connection instead of a pooled one (for one-off posts, where a stale pooled socket would be a false failure). */
  fresh?: boolean | undefined;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Posts webhooks as Twilio does: form-encoded parameters, signed with the account's auth token
 * in X-Twilio-Signature. Connections are pooled (keep-alive) because status callbacks come at
 * the rate messages are sent, thousands per second under load.
 */
export class WebhookClient {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };

  constructor(
    /** The account's auth token now: webhooks are signed with the current one, as at Twilio. */
    private readonly authToken: () => string,
    private readonly timeoutMs = 15_000,
  ) {}

  post({ url, params, signal, idempotencyToken, fresh }: WebhookPost): Promise<WebhookResponse> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return Promise.reject(new Error(`unsupported webhook URL scheme ${target.protocol}`));
    }
    const body = new URLSearchParams(params).toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': idempotencyToken ?? randomUUID(),
      [SIGNATURE_HEADER]: twilioSignature(this.authToken(), url, params),
    };
    const transport = target.protocol === 'https:' ? https : http;
    const agent = fresh ? false : this.agents[target.protocol];
    return new Promise((resolve, reject) => {
      const req = transport.request(target, { method: 'POST', headers, agent, signal, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
