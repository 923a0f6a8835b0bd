import { Inject, Injectable, Logger } from '@nestjs/common';
import { appendVerdict, messagingServiceNumbers, scopesForMessage, type MessageEnvelope, type StatusEvent } from '@sms/contracts';
import { record, type OutgoingRecord } from '@sms/kafka';
import { TenantDirectory } from '@sms/tenancy';
import { injectContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, tracer, type Context } from '@sms/tracing';
import { backoffDelay, Pseudonymizer, sleep } from '@sms/util';
import pLimit, { type LimitFunction } from 'p-limit';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { DispatchRepository, type SendResult, type SendRow } from '../database/dispatch.repository.js';
import { classifySendError } from '../rules/twilio-errors.js';
import { TwilioGateway, type OutgoingSms } from '../twilio/twilio-gateway.js';

export interface DispatchItem {
  envelope: MessageEnvelope;
  context: Context;
}

const RETRY = { initialMs: 250, maxMs: 8_000, multiplier: 2 };

/**
 * Sending exactly once: re-check opt-out at the last moment, record the send, call Twilio,
 * record the outcome. A message already in the ledger is never sent again by this path; a
 * send a crash left in doubt is settled by the reconciler, which asks Twilio first.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);
  private readonly limit: LimitFunction;

  constructor(
    @Inject(DispatchRepository) private readonly ledger: DispatchRepository,
    @Inject(TwilioGateway) private readonly twilio: TwilioGateway,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    this.limit = pLimit(config.MAX_CONCURRENT_SENDS);
  }

  /** Dispatches a batch; returns the records to publish (stopped envelopes and status events). */
  async dispatch(items: DispatchItem[]): Promise<OutgoingRecord[]> {
    const out: OutgoingRecord[] = [];
    const { allowed, blocked } = await this.checkOptOuts(items);
    out.push(...blocked);

    const claimed = await this.ledger.claim(allowed.map((i) => i.envelope));
    const redelivered = allowed.filter((i) => !claimed.has(i.envelope.id));
    if (redelivered.length > 0) {
      // Already in the ledger: publish its known outcome again (idempotent downstream), never send.
      const rows = await this.ledger.find(redelivered.map((i) => i.envelope.id));
      for (const row of rows) {
        const status = statusOf(row);
        if (status) out.push(record('status', row.messageId, status, redelivered.find((i) => i.envelope.id === row.messageId)?.context));
      }
    }

    const toSend = allowed.filter((i) => claimed.has(i.envelope.id));
    const results = await Promise.all(toSend.map((item) => this.limit(() => this.send(item.envelope, item.context, 1, new Date()))));
    await this.ledger.complete(results.filter((r) => r.state !== 'sending'));
    results.forEach((result, index) => {
      const status = statusOf({ ...result, envelope: toSend[index]!.envelope });
      if (status) out.push(record('status', result.messageId, status, toSend[index]!.context));
    });
    return out;
  }

  /** Settles sends a crash left in doubt: found at Twilio means sent; not found means send now. */
  async reconcile(rows: SendRow[]): Promise<OutgoingRecord[]> {
    const out: OutgoingRecord[] = [];
    for (const row of rows) {
      const sms = this.outgoing(row.envelope, ROOT_CONTEXT);
      const found = await this.twilio.findSent(sms, row.createdAt).catch(() => undefined);
      if (found === undefined) continue; // Twilio unreachable: try again next round.
      let result: SendResult;
      if (found) {
        result = { messageId: row.messageId, state: 'accepted', twilioSid: found.sid, attempts: row.attempts, errorCode: null, errorMessage: null };
        this.logger.log({ message: 'in-doubt send found at Twilio; not sent again', messageId: row.messageId });
      } else {
        if (!(await this.ledger.retake(row.messageId, row.attempts))) continue;
        const { allowed, blocked } = await this.checkOptOuts([{ envelope: row.envelope, context: ROOT_CONTEXT }]);
        if (allowed.length === 0) {
          out.push(...blocked);
          result = { messageId: row.messageId, state: 'failed', twilioSid: null, attempts: row.attempts + 1, errorCode: null, errorMessage: 'opted out before the send was retried' };
        } else {
          this.logger.log({ message: 'in-doubt send not found at Twilio; sending now', messageId: row.messageId });
          result = await this.send(row.envelope, ROOT_CONTEXT, row.attempts + 1, row.createdAt);
        }
      }
      if (result.state !== 'sending') {
        await this.ledger.complete([result]);
        const status = statusOf({ ...result, envelope: row.envelope });
        if (status && !(result.state === 'failed' && result.errorMessage === 'opted out before the send was retried')) out.push(record('status', row.messageId, status));
      }
    }
    return out;
  }

  /** MP.OPTOUT.HONOR at the last moment: a STOP wins over messages queued behind it. */
  private async checkOptOuts(items: DispatchItem[]): Promise<{ allowed: DispatchItem[]; blocked: OutgoingRecord[] }> {
    const tokens = items.map((i) => this.pseudonyms.token(i.envelope.tenantId, i.envelope.message.to));
    const optedOut = await this.ledger.optedOutScopes(items.map((i, n) => ({ tenantId: i.envelope.tenantId, recipientToken: tokens[n]! })));
    const allowed: DispatchItem[] = [];
    const blocked: OutgoingRecord[] = [];
    items.forEach((item, n) => {
      const { envelope } = item;
      const scopes = scopesForMessage(envelope.message, messagingServiceNumbers(this.tenants.get(envelope.tenantId), envelope.message.messagingServiceSid));
      const hit = (optedOut.get(`${envelope.tenantId}\u0000${tokens[n]}`) ?? []).find((s) => scopes.includes(s.scope));
      if (!hit) {
        allowed.push(item);
        return;
      }
      const next = appendVerdict(envelope, {
        stage: 'dispatcher',
        decision: 'block',
        clauses: ['MP.OPTOUT.HONOR'],
        reason: `the recipient opted out (scope ${hit.scope}) at ${hit.changedAt.toISOString()}, after this message passed consent`,
        facts: { optOutScope: hit.scope },
        at: new Date().toISOString(),
      });
      blocked.push(record('stopped', tokens[n]!, next, item.context));
    });
    return { allowed, blocked };
  }

  private outgoing(envelope: MessageEnvelope, ctx: Context): OutgoingSms {
    const callback = new URL('/twilio/status', this.config.STATUS_CALLBACK_BASE_URL);
    callback.searchParams.set('m', envelope.id);
    callback.searchParams.set('t', envelope.tenantId);
    const traceparent = injectContext(ctx)['traceparent'];
    if (traceparent) callback.searchParams.set('tp', traceparent);
    return {
      to: envelope.message.to,
      from: envelope.message.from,
      messagingServiceSid: envelope.message.messagingServiceSid,
      body: envelope.message.body,
      statusCallback: callback.toString(),
    };
  }

  /** Calls Twilio, retrying what may be retried; an in-doubt failure is looked up before any retry. */
  private async send(envelope: MessageEnvelope, parent: Context, firstAttempt: number, recordedAt: Date): Promise<SendResult> {
    const base = { messageId: envelope.id, twilioSid: null, errorCode: null, errorMessage: null };
    let attempt = firstAttempt;
    for (let tries = 0; ; tries++, attempt++) {
      const span = tracer().startSpan('twilio messages.create', { kind: SpanKind.CLIENT, attributes: { 'sms.message_id': envelope.id, 'sms.attempt': attempt } }, parent);
      const sms = this.outgoing(envelope, parent);
      try {
        const sent = await this.twilio.send(sms);
        span.setAttribute('twilio.sid', sent.sid);
        span.end();
        return { ...base, state: 'accepted', twilioSid: sent.sid, attempts: attempt };
      } catch (error) {
        const failure = classifySendError(error as { status?: number; code?: number | string; message?: string });
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.reason });
        if (failure.code !== null) span.setAttribute('twilio.error_code', failure.code);
        span.end();
        if (failure.kind === 'final') {
          return { ...base, state: 'failed', attempts: attempt, errorCode: failure.code, errorMessage: failure.reason };
        }
        if (failure.kind === 'in-doubt') {
          const found = await this.twilio.findSent(sms, recordedAt).catch(() => undefined);
          if (found) return { ...base, state: 'accepted', twilioSid: found.sid, attempts: attempt };
          // Twilio unreachable for the lookup: leave it in doubt for the reconciler.
          if (found === undefined) return { ...base, state: 'sending', attempts: attempt };
        }
        if (tries + 1 >= this.config.SEND_MAX_ATTEMPTS) {
          return { ...base, state: 'failed', attempts: attempt, errorCode: failure.code, errorMessage: `gave up after ${tries + 1} attempts: ${failure.reason}` };
        }
        this.logger.warn({ message: 'Twilio send failed; retrying', messageId: envelope.id, attempt, reason: failure.reason });
        await sleep(backoffDelay(tries, RETRY));
      }
    }
  }
}

/** The status event a ledger row stands for (none while still in doubt). */
function statusOf(row: Pick<SendRow, 'messageId' | 'state' | 'twilioSid' | 'errorCode' | 'errorMessage' | 'envelope'>): StatusEvent | null {
  const at = new Date().toISOString();
  if (row.state === 'accepted') {
    return { messageId: row.messageId, tenantId: row.envelope.tenantId, status: 'sending', source: 'dispatcher', ...(row.twilioSid ? { twilioSid: row.twilioSid } : {}), at };
  }
  if (row.state === 'failed') {
    return {
      messageId: row.messageId,
      tenantId: row.envelope.tenantId,
      status: 'failed',
      source: 'dispatcher',
      ...(row.errorCode !== null ? { errorCode: row.errorCode } : {}),
      ...(row.errorMessage !== null ? { errorMessage: row.errorMessage.slice(0, 500) } : {}),
      at,
    };
  }
  return null;
}
