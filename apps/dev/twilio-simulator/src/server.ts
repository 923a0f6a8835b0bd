import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, DEFAULT_CALLBACK_DELAY_MS, DEFAULT_INBOUND_WEBHOOK_URL, DEFAULT_MAX_MESSAGES } from './config.js';
import type { SimulatorContext } from './context.js';
import { AccountCredentials } from './credentials.js';
import { FaultBook } from './faults.js';
import { HttpError, sendJson } from './http-io.js';
import { MessageStore } from './message-store.js';
import { handleTwilioApi, isTwilioApiPath } from './messages-api.js';
import { MessagingServices } from './messaging-services.js';
import { OptOutBook } from './opt-outs.js';
import { handleSimControls, isSent, resetState, type SimMessage, toSimMessage } from './sim-controls.js';
import { DEFAULT_CALLBACK_RETRY, DeliverySimulator, type RetryPolicy } from './status-callbacks.js';
import { twilioError } from './twilio-errors.js';
import { WebhookClient } from './webhook-client.js';

export type { SimMessage } from './sim-controls.js';
export type { RetryPolicy } from './status-callbacks.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port, see `url`. */
  port?: number;
  /** The one account served; defaults are the local test values of `config.ts`. */
  accountSid?: string;
  authToken?: string;
  /** Where POST /sim/inbound posts; default http://127.0.0.1:3000/twilio/inbound. */
  inboundWebhookUrl?: string;
  /** Delay before each status change and its callback; default 50 ms. */
  callbackDelayMs?: number;
  /** How failing status callbacks are retried; default 4 attempts, backoff from 200 ms up to 2 s. */
  callbackRetry?: RetryPolicy;
  /** Messages kept; past this the oldest are forgotten. Default 1,000,000. */
  maxMessages?: number;
  /** Where the simulator's few log lines go; default console.log. */
  log?: (line: string) => void;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:40123: the Twilio API is under /2010-04-01, test controls under /sim. */
  readonly url: string;
  readonly port: number;
  readonly accountSid: string;
  readonly authToken: string;
  /** Messages taken through the API so far, oldest first (what GET /sim/messages answers; inbound ones are listed by the Messages API), optionally to one recipient. */
  messages(to?: string): SimMessage[];
  /** Forgets messages, faults, messaging services and opt-outs and stops pending callbacks (DELETE /sim/state). */
  reset(): void;
  /** Stops listening, ends open connections and pending callbacks. */
  close(): Promise<void>;
}

/** Starts a Twilio-compatible simulator over plain node:http and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const accountSid = options.accountSid ?? DEFAULT_ACCOUNT_SID;
  const authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
  const log = options.log ?? ((line: string) => console.log(`[twilio-simulator] ${line}`));
  const closing = new AbortController();
  const credentials = new AccountCredentials(authToken);
  const webhooks = new WebhookClient(() => credentials.authToken);
  const ctx: SimulatorContext = {
    accountSid,
    credentials,
    inboundWebhookUrl: options.inboundWebhookUrl ?? DEFAULT_INBOUND_WEBHOOK_URL,
    store: new MessageStore(options.maxMessages ?? DEFAULT_MAX_MESSAGES),
    faults: new FaultBook(),
    services: new MessagingServices(),
    optOuts: new OptOutBook(),
    delivery: new DeliverySimulator({
      accountSid,
      client: webhooks,
      delayMs: options.callbackDelayMs ?? DEFAULT_CALLBACK_DELAY_MS,
      retry: options.callbackRetry ?? DEFAULT_CALLBACK_RETRY,
      log,
    }),
    webhooks,
    closing: closing.signal,
    log,
  };

  const server = createServer((req, res) => {
    void route(ctx, req, res).catch((error: unknown) => fail(ctx, req, res, error));
  });
  // Longer than clients' idle keep-alive, so a pooled connection is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    accountSid,
    authToken,
    messages: (to) => ctx.store.list({ to }).filter(isSent).map(toSimMessage),
    reset: () => resetState(ctx),
    close: () => {
      closed ??= (async () => {
        closing.abort(new Error('simulator closing'));
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([stopped, ctx.delivery.close()]);
        webhooks.close();
      })();
      return closed;
    },
  };
}

async function route(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (isTwilioApiPath(path)) return handleTwilioApi(ctx, req, res, path, query);
  if (path.startsWith('/sim/')) return handleSimControls(ctx, req, res, path, query);
  if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
  sendJson(res, 404, { error: `no such endpoint: ${req.method ?? ''} ${path}` });
}

/** Answers a failed request, whatever went wrong: the simulator itself must stay up. */
function fail(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (ctx.closing.aborted || res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(res, error.status, error.body);
    return;
  }
  ctx.log(`${req.method ?? ''} ${req.url ?? ''} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  sendJson(res, 500, isTwilioApiPath(req.url ?? '') ? twilioError(500, 20500) : { error: 'internal error in the simulator' });
}
