import type { IncomingMessage, ServerResponse } from 'node:http';
import { countSegments } from '@sms/domain';
import { z } from 'zod';
import { E164, isSenderAddress, MESSAGING_SERVICE_SID, plusRestored } from './addresses.js';
import type { SimulatorContext } from './context.js';
import { faultSpecSchema } from './faults.js';
import { HttpError, readJson, sendJson } from './http-io.js';
import { API_VERSION, newSid } from './message-resource.js';
import type { StoredMessage } from './message-store.js';
import { optOutScopeOf } from './messages-api.js';
import { messagingServiceSchema } from './messaging-services.js';
import { DEFAULT_REPLIES, keywordOf, type KeywordKind } from './opt-outs.js';

/** A message as GET /sim/messages shows it. */
export interface SimMessage {
  /** Order of arrival (0, 1, ...): `GET /sim/messages?since=<seq>` reads on from it. */
  seq: number;
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: StoredMessage['status'];
  errorCode: number | null;
  numSegments: number;
  /** When the simulator received the create request, ISO 8601 with milliseconds. */
  receivedAt: string;
  statusCallback: string | null;
  /** `outbound-api` for a send through the API, `outbound-reply` for Twilio's own keyword reply. */
  direction: 'outbound-api' | 'outbound-reply';
}

export function toSimMessage(m: StoredMessage): SimMessage {
  return {
    seq: m.seq,
    sid: m.sid,
    to: m.to,
    from: m.from,
    messagingServiceSid: m.messagingServiceSid,
    body: m.body,
    status: m.status,
    errorCode: m.errorCode,
    numSegments: m.numSegments,
    receivedAt: new Date(m.receivedAt).toISOString(),
    statusCallback: m.statusCallback,
    direction: m.direction === 'outbound-reply' ? 'outbound-reply' : 'outbound-api',
  };
}

const inboundSchema = z.strictObject({
  from: z.string().regex(E164, 'must be an E.164 number such as +14155550100'),
  to: z.string().refine(isSenderAddress, 'must be one of your numbers: E.164, short code or alphanumeric sender ID'),
  body: z.string().max(1600),
  /** Defaults to the service whose registered pool holds `to`. */
  messagingServiceSid: z.string().regex(MESSAGING_SERVICE_SID, 'must be MG followed by 32 hex digits').optional(),
  /** Defaults to the configured inbound webhook URL. */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Reads the body as this keyword of the Messaging Service's Advanced Opt-Out, as a custom
   * keyword the service registered would be (without registering it): STOP, START or HELP.
   */
  optOutType: z.enum(['STOP', 'START', 'HELP']).optional(),
});

// The token Twilio's API accepts from now on (as when a secondary auth token is promoted).
const authTokenSchema = z.strictObject({ authToken: z.string().min(16, 'must be at least 16 characters, as the services require') });

const FAULT_PATH = /^\/sim\/faults\/([^/]+)$/;

/** The test controls under /sim: inspect, inject and reset. No authentication: a local test tool. */
export async function handleSimControls(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
  const route = `${req.method ?? ''} ${path}`;
  switch (route) {
    case 'GET /sim/messages':
      return listSimMessages(ctx, res, new URLSearchParams(query));
    case 'POST /sim/inbound':
      return postInbound(ctx, res, parse(inboundSchema, await readJson(req)));
    case 'GET /sim/faults':
      return sendJson(res, 200, { faults: ctx.faults.list() });
    case 'POST /sim/faults': {
      const fault = ctx.faults.add(parse(faultSpecSchema, await readJson(req)));
      return sendJson(res, 201, { id: fault.id });
    }
    case 'DELETE /sim/faults':
      ctx.faults.clear();
      return sendJson(res, 200, { faults: [] });
    case 'GET /sim/messaging-services':
      return sendJson(res, 200, { messagingServices: ctx.services.list() });
    case 'POST /sim/messaging-services': {
      const service = parse(messagingServiceSchema, await readJson(req));
      ctx.services.register(service);
      return sendJson(res, 201, service);
    }
    case 'PUT /sim/auth-token':
      ctx.credentials.rotate(parse(authTokenSchema, await readJson(req)).authToken);
      return sendJson(res, 200, { rotated: true });
    case 'GET /sim/opt-outs':
      return sendJson(res, 200, { optOuts: ctx.optOuts.list() });
    case 'DELETE /sim/state':
      resetState(ctx);
      return sendJson(res, 200, { status: 'reset' });
  }
  const fault = FAULT_PATH.exec(path);
  if (fault && req.method === 'DELETE') {
    const id = decodeURIComponent(fault[1] as string);
    if (ctx.faults.remove(id)) return sendJson(res, 200, { id });
    return sendJson(res, 404, { error: `no active fault ${id}` });
  }
  sendJson(res, 404, { error: `no such endpoint: ${route}` });
}

/** Forgets messages, faults, messaging services and opt-outs, stops the callbacks of earlier messages and restores the configured auth token. */
export function resetState(ctx: SimulatorContext): void {
  ctx.store.clear();
  ctx.faults.clear();
  ctx.services.clear();
  ctx.optOuts.clear();
  ctx.delivery.reset();
  ctx.credentials.reset();
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
  throw new HttpError(400, { error: `invalid request body: ${problems.join('; ')}`, problems });
}

function listSimMessages(ctx: SimulatorContext, res: ServerResponse, search: URLSearchParams): void {
  const to = search.get('to') ?? undefined;
  const limitText = search.get('limit');
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new HttpError(400, { error: 'limit must be a positive integer' });
  const sinceText = search.get('since');
  if (sinceText !== null) {
    // Reading on by arrival number (benchmarks follow thousands of messages a second this way).
    const since = Number(sinceText);
    if (!(Number.isInteger(since) && since >= 0)) throw new HttpError(400, { error: 'since must be a non-negative integer' });
    return sendJson(res, 200, {
      messages: ctx.store
        .since(since, limit ?? 10_000)
        .filter(isSent)
        .map(toSimMessage),
    });
  }
  const all = ctx.store.list({ to: plusRestored(to) }).filter(isSent);
  const messages = limit === undefined ? all : all.slice(-limit);
  sendJson(res, 200, { messages: messages.map(toSimMessage) });
}

/** What reached "Twilio" through the API: /sim/messages lists sends; inbound messages are listed by the Messages API. */
export const isSent = (m: StoredMessage): boolean => m.direction !== 'inbound';

/** Plays a phone replying: Twilio's inbound-message webhook, signed, to the configured URL. */
async function postInbound(ctx: SimulatorContext, res: ServerResponse, inbound: z.infer<typeof inboundSchema>): Promise<void> {
  const sid = newSid('SM');
  const messagingServiceSid = inbound.messagingServiceSid ?? ctx.services.serviceOf(inbound.to);
  const params: Record<string, string> = {
    MessageSid: sid,
    SmsSid: sid,
    SmsMessageSid: sid,
    AccountSid: ctx.accountSid,
    From: inbound.from,
    To: inbound.to,
    Body: inbound.body,
    NumMedia: '0',
    NumSegments: String(countSegments(inbound.body).segments),
    SmsStatus: 'received',
    ApiVersion: API_VERSION,
  };
  if (messagingServiceSid !== null) params.MessagingServiceSid = messagingServiceSid;
  // Advanced Opt-Out, on by default for a Messaging Service's numbers, reads custom keywords
  // too and says what it read in OptOutType; a number in no service has Twilio's defaults only.
  const settings = messagingServiceSid === null ? undefined : ctx.services.advancedOptOut(messagingServiceSid);
  const keyword = messagingServiceSid === null ? keywordOf(inbound.body) : (inbound.optOutType ?? keywordOf(inbound.body, settings?.keywords));
  if (keyword !== null && messagingServiceSid !== null) params.OptOutType = keyword;
  recordInbound(ctx, sid, inbound.from, inbound.to, inbound.body, messagingServiceSid);
  // Twilio keeps the opt-out and answers before it passes the message on to the webhook.
  if (keyword !== null) keywordHandling(ctx, keyword, inbound.from, inbound.to, messagingServiceSid, settings?.optOutReply === 'application');
  const url = inbound.webhookUrl ?? ctx.inboundWebhookUrl;
  // Posted once, never retried: by default Twilio does not retry an inbound webhook answered with
  // a 5xx (its retry policy, `rp` of the connection overrides, defaults to connect timeouts only:
  // https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides). Whatever the
  // webhook answers, the message stays listable through the Messages API.
  try {
    const response = await ctx.webhooks.post({ url, params, signal: ctx.closing, fresh: true });
    sendJson(res, 200, { sid, webhookStatus: response.status, webhookBody: response.body });
  } catch (error) {
    sendJson(res, 502, { sid, error: `inbound webhook ${url} could not be reached: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/**
 * Twilio's standard handling of a keyword (opt-outs.ts cites the pages): STOP puts the handset
 * on the opt-out list of the service (or of the number) and gets Twilio's confirmation, unless
 * the service leaves it to the application; START, YES, UNSTOP take it off and get Twilio's
 * re-subscribed reply; HELP gets Twilio's help reply, except to a handset that opted out. A
 * service that leaves replies to the application (Advanced Opt-Out with Twilio's keyword
 * responses turned off) gets none of Twilio's replies: the application sends each, once.
 * A STOP from a handset already opted out changes nothing and gets no second confirmation.
 */
function keywordHandling(ctx: SimulatorContext, keyword: KeywordKind, handset: string, number: string, messagingServiceSid: string | null, applicationReplies: boolean): void {
  const scope = messagingServiceSid ?? optOutScopeOf(ctx, number);
  const optedOut = ctx.optOuts.isOptedOut(scope, handset);
  switch (keyword) {
    case 'STOP':
      if (optedOut) return;
      ctx.optOuts.optOut(scope, handset, applicationReplies);
      if (!applicationReplies) twilioReply(ctx, handset, number, messagingServiceSid, DEFAULT_REPLIES.STOP);
      return;
    case 'START':
      ctx.optOuts.optIn(scope, handset);
      if (!applicationReplies) twilioReply(ctx, handset, number, messagingServiceSid, DEFAULT_REPLIES.START);
      return;
    case 'HELP':
      if (!optedOut && !applicationReplies) twilioReply(ctx, handset, number, messagingServiceSid, DEFAULT_REPLIES.HELP);
      return;
  }
}

/** A text between a handset and a number that no API call created: Twilio's own reply, or an inbound message. */
function storeText(ctx: SimulatorContext, text: { sid: string; to: string; from: string; messagingServiceSid: string | null; body: string; inbound: boolean }) {
  const now = Date.now();
  return ctx.store.add({
    sid: text.sid,
    // Twilio's own keyword replies are "outbound-reply" messages (the Message resource's direction).
    direction: text.inbound ? ('inbound' as const) : ('outbound-reply' as const),
    to: text.to,
    from: text.from,
    messagingServiceSid: text.messagingServiceSid,
    body: text.body,
    numSegments: countSegments(text.body).segments,
    numMedia: 0,
    receivedAt: now,
    statusCallback: null,
    status: text.inbound ? 'received' : 'queued',
    errorCode: null,
    sentAt: text.inbound ? now : null,
    updatedAt: now,
  });
}

/** Twilio's own reply: a message from the number written to, listed under /sim/messages like any other (no status callback). */
function twilioReply(ctx: SimulatorContext, to: string, from: string, messagingServiceSid: string | null, body: string): void {
  const message = storeText(ctx, { sid: newSid('SM'), to, from, messagingServiceSid, body, inbound: false });
  ctx.delivery.start(message, { status: 'delivered' });
}

/**
 * An inbound message is a Message resource too: direction `inbound`, status `received`,
 * `date_sent` when the webhook request goes out ("for an incoming message, this is when Twilio
 * sent the HTTP request to your incoming message webhook URL",
 * https://www.twilio.com/docs/messaging/api/message-resource), listed by the Messages API with
 * the same filters and paging as sent ones, whatever the webhook answers.
 */
function recordInbound(ctx: SimulatorContext, sid: string, from: string, to: string, body: string, messagingServiceSid: string | null): void {
  storeText(ctx, { sid, to, from, messagingServiceSid, body, inbound: true });
}
