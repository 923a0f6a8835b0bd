import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** The full URL requested, as the sender signed it. */
  url: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  signature: string | undefined;
}

export interface WebhookReceiver {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** The HTTP status the receiver answers for the n-th request (0-based); 200 by default. */
  answer: (index: number, hook: ReceivedWebhook) => number;
  /** Resolves once at least `count` requests matching `filter` arrived (rejects after `timeoutMs`, so a test never hangs). */
  waitFor(count: number, filter?: (hook: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A local HTTP server that records form-encoded webhooks, standing in for intake. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  let baseUrl = '';
  const receiver: WebhookReceiver = {
    get url() {
      return baseUrl;
    },
    received,
    answer: () => 200,
    waitFor(count, filter = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const matching = received.filter(filter);
          if (matching.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${received.filter(filter).length} of ${count} expected webhooks arrived`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hook: ReceivedWebhook = {
        url: `${baseUrl}${req.url ?? '/'}`,
        headers: req.headers,
        params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
        signature: req.headers['x-twilio-signature'] as string | undefined,
      };
      const status = receiver.answer(received.length, hook);
      received.push(hook);
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
      for (const waiter of [...waiters]) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
