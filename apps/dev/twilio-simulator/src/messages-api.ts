import type { IncomingMessage, ServerResponse } from 'node:http';
import { countSegments } from '@sms/domain';
import { sleep } from '@sms/util';
import { E164, isSenderAddress, MESSAGING_SERVICE_SID, plusRestored } from './addresses.js';
import type { SimulatorContext } from './context.js';
import { readBody, sendJson } from './http-io.js';
import { messagesUri, newSid, toResource } from './message-resource.js';
import type { MessageQuery, PageRequest } from './message-store.js';
import type { Outcome } from './status-callbacks.js';
import { DELIVERY_ERRORS, twilioError } from './twilio-errors.js';

/**
 * The CreateMessage parameters the simulator reads (every other parameter Twilio declares is
 * accepted and ignored, as are undeclared ones). The contract test checks each name against the
 * CreateMessage request body of Twilio's OpenAPI description.
 */
export const CREATE_MESSAGE_PARAMETERS = ['To', 'From', 'MessagingServiceSid', 'Body', 'MediaUrl', 'ContentSid', 'StatusCallback'] as const;
type CreateMessageParameter = (typeof CREATE_MESSAGE_PARAMETERS)[number];

/** The ListMessage query parameters the simulator reads (checked against the OpenAPI description too). */
export const LIST_MESSAGE_PARAMETERS = ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>', 'PageSize', 'Page', 'PageToken'] as const;
type ListMessageParameter = (typeof LIST_MESSAGE_PARAMETERS)[number];

const MAX_BODY_CHARS = 1600;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

const API_PREFIX = '/2010-04-01/';
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;

export const isTwilioApiPath = (path: string): boolean => path.startsWith(API_PREFIX);

/** Twilio's REST API for messages: authenticate, then create, fetch or list. */
export async function handleTwilioApi(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
  if (!authenticated(ctx, req.headers.authorization)) {
    res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
    sendJson(res, 401, twilioError(401, 20003));
    return;
  }
  const list = MESSAGES_PATH.exec(path);
  const one = list ? null : MESSAGE_PATH.exec(path);
  const accountSid = (list ?? one)?.[1];
  if (accountSid !== ctx.accountSid) {
    notFound(res, path);
    return;
  }
  if (list && req.method === 'POST') return createMessage(ctx, req, res);
  if (list && req.method === 'GET') return listMessages(ctx, res, query);
  if (one && req.method === 'GET') {
    const message = ctx.store.get(one[2] as string);
    if (message) sendJson(res, 200, toResource(message, ctx.accountSid));
    else notFound(res, path);
    return;
  }
  sendJson(res, 405, twilioError(405, 20004));
}

function authenticated(ctx: SimulatorContext, header: string | undefined): boolean {
  if (!header?.toLowerCase().startsWith('basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon !== -1 && decoded.slice(0, colon) === ctx.accountSid && decoded.slice(colon + 1) === ctx.credentials.authToken;
}

function notFound(res: ServerResponse, path: string): void {
  sendJson(res, 404, twilioError(404, 20404, `The requested resource ${path} was not found`));
}

async function createMessage(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // When "Twilio" received the send, before any injected latency: pacing is measured on it.
  const receivedAt = Date.now();
  const form = new URLSearchParams(await readBody(req));
  const param = (name: CreateMessageParameter): string | undefined => form.get(name) ?? undefined;
  const refuse = (code: number, message?: string): void => sendJson(res, 400, twilioError(400, code, message));

  // Checked in the order Twilio reports them.
  const to = plusRestored(param('To'));
  if (!to) return refuse(21604);
  if (!E164.test(to)) return refuse(21211, `The 'To' number ${to} is not a valid phone number.`);
  const from = plusRestored(param('From')) || undefined;
  const messagingServiceSid = param('MessagingServiceSid')?.trim() || undefined;
  if (from === undefined && messagingServiceSid === undefined) return refuse(21603);
  if (from !== undefined && !isSenderAddress(from)) {
    return refuse(21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
  }
  if (messagingServiceSid !== undefined && !MESSAGING_SERVICE_SID.test(messagingServiceSid)) {
    return refuse(21701, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
  }
  // Twilio's 21211 page: "You used the same Twilio number in both the To and From parameters.
  // Twilio numbers cannot call or message themselves" (a service's own number likewise).
  if (to === from || (messagingServiceSid !== undefined && ctx.services.serviceOf(to) === messagingServiceSid)) {
    return refuse(21211, `The 'To' number ${to} is the sender itself: a number cannot message itself.`);
  }
  // With a MessagingServiceSid, From may name "a specific sender from your Sender Pool"
  // (CreateMessage in Twilio's OpenAPI description); any other sender is refused with 21711
  // (https://www.twilio.com/docs/api/errors/21711). A service whose pool is not registered here
  // cannot be judged, and is let through.
  if (from !== undefined && messagingServiceSid !== undefined && ctx.services.has(messagingServiceSid) && ctx.services.serviceOf(from) !== messagingServiceSid) {
    return refuse(21711, `The From ${from} is not associated to the Messaging Service ${messagingServiceSid}.`);
  }
  const body = param('Body') ?? '';
  const mediaUrls = form.getAll('MediaUrl' satisfies CreateMessageParameter).filter((u) => u.trim() !== '');
  if (body === '' && mediaUrls.length === 0 && !param('ContentSid')) return refuse(21602);
  if (body.length > MAX_BODY_CHARS) return refuse(21617);
  const statusCallback = param('StatusCallback')?.trim() || undefined;
  if (statusCallback !== undefined && !isHttpUrl(statusCallback)) {
    return refuse(21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
  }

  // Through a Messaging Service without a From, Twilio picks the sender from the pool (sticky per recipient).
  const sender = from ?? (messagingServiceSid === undefined ? null : ctx.services.pick(messagingServiceSid, to));
  const fault = ctx.faults.take(to, sender);
  if (fault && fault.latencyMs > 0) await sleep(fault.latencyMs, ctx.closing);
  // A handset that replied STOP to the service (or to the number, outside any service) is refused
  // until it replies START: error 21610, nothing sent (https://www.twilio.com/docs/api/errors/21610).
  // Checked after any injected latency, with nothing awaited before the message is recorded, so
  // no message is taken after Twilio's confirmation of the STOP.
  const optOutScope = messagingServiceSid ?? (sender === null ? null : optOutScopeOf(ctx, sender));
  if (optOutScope !== null && ctx.optOuts.refuses(optOutScope, to)) {
    return refuse(21610, `Attempt to send to unsubscribed recipient: ${to} replied STOP to ${optOutScope}.`);
  }
  const refused = fault !== undefined && fault.status >= 400;
  const refusalHeaders: Record<string, string> = fault !== undefined && fault.retryAfter !== null ? { 'retry-after': String(fault.retryAfter) } : {};
  if (refused && !fault.recordMessage) {
    sendJson(res, fault.status, twilioError(fault.status, fault.code as number), refusalHeaders);
    return;
  }

  const message = ctx.store.add({
    sid: newSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
    to,
    from: sender,
    messagingServiceSid: messagingServiceSid ?? null,
    body,
    numSegments: countSegments(body).segments,
    numMedia: mediaUrls.length,
    receivedAt,
    statusCallback: statusCallback ?? null,
    // Through a messaging service without a sender, Twilio first "accepts" the message and picks the sender later.
    status: from === undefined ? 'accepted' : 'queued',
    errorCode: null,
    sentAt: null,
    updatedAt: Date.now(),
  });
  ctx.delivery.start(message, { ...outcome(refused ? null : (fault?.code ?? null)), queuedMs: fault?.queuedMs ?? 0 });
  if (refused) sendJson(res, fault.status, twilioError(fault.status, fault.code as number), refusalHeaders);
  else sendJson(res, 201, toResource(message, ctx.accountSid));
}

/** Where Twilio keeps a handset's opt-out from this number: its Messaging Service's pool, else the number itself. */
export function optOutScopeOf(ctx: SimulatorContext, number: string): string {
  return ctx.services.serviceOf(number) ?? number;
}

/** How an accepted message's delivery ends: a delivery error code from a 2xx fault, else delivered. */
function outcome(deliveryErrorCode: number | null): Outcome {
  const status = deliveryErrorCode === null ? undefined : DELIVERY_ERRORS.get(deliveryErrorCode);
  return status && deliveryErrorCode !== null ? { status, errorCode: deliveryErrorCode } : { status: 'delivered' };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function listMessages(ctx: SimulatorContext, res: ServerResponse, rawQuery: string): void {
  const search = new URLSearchParams(rawQuery);
  const param = (name: ListMessageParameter): string | undefined => search.get(name) ?? undefined;
  const invalid = (what: string): void => sendJson(res, 400, twilioError(400, 20001, `Invalid ${what}`));

  const query: MessageQuery = { to: plusRestored(param('To')), from: plusRestored(param('From')) };
  for (const name of ['DateSent', 'DateSent<', 'DateSent>'] as const) {
    const raw = param(name);
    if (raw === undefined) continue;
    const date = parseDateFilter(raw);
    if (!date) return invalid(`${name} value: ${raw}`);
    // "DateSent" is a whole day; "DateSent>"/"DateSent<" are inclusive bounds (a day's start or end for a date).
    const from = name === 'DateSent' || date.dateOnly ? date.day.from : date.second.from;
    const until = name === 'DateSent' || date.dateOnly ? date.day.until : date.second.until;
    if (name !== 'DateSent<') query.sentFrom = Math.max(query.sentFrom ?? -Infinity, from);
    if (name !== 'DateSent>') query.sentUntil = Math.min(query.sentUntil ?? Infinity, until);
  }

  const pageSize = Math.min(MAX_PAGE_SIZE, intParam(param('PageSize'), DEFAULT_PAGE_SIZE));
  const page = intParam(param('Page'), 0);
  if (!(pageSize >= 1)) return invalid(`PageSize: ${param('PageSize')}`);
  if (!(page >= 0)) return invalid(`Page: ${param('Page')}`);
  const token = param('PageToken');
  let start: PageRequest['start'] = { offset: page * pageSize };
  if (token !== undefined) {
    const direction = token.slice(0, 2);
    if (direction === 'PA') start = { after: token.slice(2) };
    else if (direction === 'PB') start = { before: token.slice(2) };
    else return invalid(`PageToken: ${token}`);
  }

  // One extra tells whether a next page exists.
  const found = ctx.store.page(query, { pageSize: pageSize + 1, start });
  const more = 'before' in start ? found.length > 0 : found.length > pageSize;
  const messages = 'before' in start ? found.slice(-pageSize) : found.slice(0, pageSize);

  const uri = (pageNumber: number, pageToken?: string): string => {
    const out = new URLSearchParams();
    for (const name of ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>'] as const) {
      const value = param(name);
      if (value !== undefined) out.set(name, value);
    }
    out.set('PageSize', String(pageSize));
    out.set('Page', String(pageNumber));
    if (pageToken !== undefined) out.set('PageToken', pageToken);
    return `${messagesUri(ctx.accountSid)}?${out.toString()}`;
  };
  const first = messages[0];
  const last = messages.at(-1);
  const startIndex = page * pageSize;
  sendJson(res, 200, {
    end: messages.length > 0 ? startIndex + messages.length - 1 : startIndex,
    first_page_uri: uri(0),
    next_page_uri: more && last ? uri(page + 1, `PA${last.sid}`) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 && first ? uri(page - 1, `PB${first.sid}`) : null,
    start: startIndex,
    uri: uri(page, token),
    messages: messages.map((m) => toResource(m, ctx.accountSid)),
  });
}

function intParam(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : NaN;
}

interface Range {
  from: number;
  until: number;
}

/**
 * A DateSent filter value: the GMT day it falls on and the second it names. Twilio documents
 * YYYY-MM-DD and accepts date-times too (the SDK sends "2026-11-27T18:56:45Z"; Twilio's own
 * examples show RFC 2822 and "2019-06-11 22:05:25.000"). Undefined when it is no date.
 */
export function parseDateFilter(raw: string): { dateOnly: boolean; day: Range; second: Range } | undefined {
  const value = raw.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  // A date-time without a zone is GMT, as Twilio's dates are.
  const zoneless = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
  const at = Date.parse(dateOnly ? `${value}T00:00:00Z` : zoneless ? `${value.replace(' ', 'T')}Z` : value);
  if (Number.isNaN(at)) return undefined;
  const dayStart = Math.floor(at / 86_400_000) * 86_400_000;
  const second = Math.floor(at / 1000) * 1000;
  return { dateOnly, day: { from: dayStart, until: dayStart + 86_400_000 - 1 }, second: { from: second, until: second + 999 } };
}
