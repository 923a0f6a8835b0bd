import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { messageIdFor, type MessageEnvelope, type SendRequest, type TenantConfigEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher, record } from '@sms/kafka';
import { context, extractContext, injectContext, SpanKind, tracer, trace, type Context } from '@sms/tracing';
import { backoffDelay, sleep } from '@sms/util';
import { createHash, randomUUID } from 'node:crypto';
import { buildEnvelope, type FieldError } from './build-envelope.js';
import { AcceptedMessageRepository, type InsertOutcome } from './accepted-message.repository.js';
import { PerKeyOrder } from './per-key-order.js';

export type AcceptOutcome =
  | { kind: 'accepted'; id: string; replayed: boolean }
  | { kind: 'suspended'; campaign: string; reason: string }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'idempotency-conflict'; existingId: string };

export interface AcceptOptions {
  channel: MessageEnvelope['channel'];
  idempotencyKey: string | undefined;
  /** Trace context of the caller (HTTP headers or the Kafka record's span). */
  parent: Context;
  /**
   * How long the answer waits for the message to be on `sms.accepted.v1` (default
   * HTTP_PUBLISH_WAIT_MS; Infinity: until it is, or intake stops).
   */
  publishWaitMs?: number;
}

/**
 * An HTTP caller is answered once its message is on the topic, so that a message it sends after
 * that answer, to whichever instance, comes after it there. Beyond this (a broker outage) the
 * answer goes anyway: the message is stored, and published when the broker is back.
 */
export const HTTP_PUBLISH_WAIT_MS = 2_000;

/** Stable hash of a request, so a reused idempotency key with a different request is caught. */
export function requestHash(request: SendRequest): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex');
}

const PUBLISH_RETRY = { initialMs: 200, maxMs: 10_000, multiplier: 2 };

/**
 * Accepting a message: validate it against the tenant, store it in the outbox, answer, and
 * publish it to `sms.accepted.v1` right away (the outbox relay covers a crash).
 *
 * One recipient's messages (one Kafka key, so one partition) are published in the order they
 * were accepted: consent's caps and first-message rules decide them in topic order. Inserts
 * run several statements at once and finish in any order, so a message is published only once
 * every message accepted before it for the same recipient is acknowledged by the broker (those
 * ready meanwhile go together); a failed publish is retried in place, holding the recipient's
 * later messages back, rather than left for later while they overtake it. The caller is answered
 * once the message is on the topic (HTTP_PUBLISH_WAIT_MS at most over HTTP; a send request from
 * Kafka waits until it is, so its offset is committed, and a rebalance hands its partition over,
 * only after its message was published): a message sent after the answer, to any instance, comes
 * after it.
 */
@Injectable()
export class MessageIntakeService implements OnModuleDestroy {
  private readonly logger = new Logger(MessageIntakeService.name);
  private readonly order = new PerKeyOrder<Publishing>((key, items) => this.publishAcked(key, items));
  private readonly stopping = new AbortController();

  constructor(
    @Inject(AcceptedMessageRepository) private readonly messages: AcceptedMessageRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(Pseudonymizer) private readonly pseudonyms: Pseudonymizer,
  ) {}

  async accept(tenant: TenantConfigEvent, request: SendRequest, options: AcceptOptions): Promise<AcceptOutcome> {
    const span = tracer().startSpan('intake accept', { kind: SpanKind.SERVER, attributes: { 'sms.tenant_id': tenant.tenantId, 'sms.channel': options.channel } }, options.parent);
    const ctx = trace.setSpan(options.parent, span);
    try {
      // MP.ENFORCEMENT: a suspended campaign sends nothing until an operator lifts it.
      const suspension = tenant.campaigns.find((c) => c.id === request.campaign)?.suspension;
      if (suspension) {
        span.setAttribute('sms.outcome', 'suspended');
        return { kind: 'suspended', campaign: request.campaign, reason: suspension.reason };
      }
      const built = buildEnvelope({
        // With an idempotency key the id is derived from it (messageIdFor): a producer on Kafka knows it.
        id: options.idempotencyKey !== undefined ? messageIdFor(tenant.tenantId, options.idempotencyKey) : randomUUID(),
        tenant,
        request,
        channel: options.channel,
        idempotencyKey: options.idempotencyKey,
        now: new Date(),
      });
      if (!built.ok) {
        span.setAttribute('sms.outcome', 'invalid');
        return { kind: 'invalid', errors: built.errors };
      }
      const envelope = built.envelope;
      const hash = requestHash(request);
      const traceparent = injectContext(ctx)['traceparent'] ?? null;
      const inserting = context.with(ctx, () => this.messages.insert({ envelope, requestHash: hash, traceparent }));
      // Its place in the recipient's order is taken now, at acceptance, not when the insert returns.
      const published = this.publishInOrder(envelope, hash, ctx, inserting);
      const outcome = await inserting;
      if (!outcome.inserted && outcome.existingRequestHash !== hash) {
        span.setAttribute('sms.message_id', outcome.existingId);
        return { kind: 'idempotency-conflict', existingId: outcome.existingId };
      }
      const id = outcome.inserted ? envelope.id : outcome.existingId;
      span.setAttribute('sms.message_id', id);
      span.setAttribute('sms.outcome', outcome.inserted ? 'accepted' : 'replayed');
      await this.waitFor(published, options.publishWaitMs ?? HTTP_PUBLISH_WAIT_MS);
      return { kind: 'accepted', id, replayed: !outcome.inserted };
    } finally {
      span.end();
    }
  }

  onModuleDestroy(): void {
    // Publishes still retrying give up: their rows stay in the outbox for the relay.
    this.stopping.abort(new Error('intake is stopping'));
  }

  /** Waits for `published` to settle, `ms` at most (Infinity: as long as it takes). */
  private async waitFor(published: Promise<void>, ms: number): Promise<void> {
    if (ms === Infinity) return published;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([published, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Takes the message's turn in its recipient's order now, at acceptance; it is published once
   * stored. A request made again for a message stored before that never reached the topic (its
   * instance died first: a client's retry, a send request delivered again after a crash)
   * publishes that message in this turn, before the recipient's later messages, rather than
   * leave it to the relay a lease later, after them. Never fails the caller.
   */
  private publishInOrder(envelope: MessageEnvelope, hash: string, ctx: Context, inserting: Promise<InsertOutcome>): Promise<void> {
    const item: Publishing = { envelope, ctx };
    return this.order.add(
      this.keyOf(envelope),
      item,
      inserting.then((o) => {
        if (o.inserted) return true;
        if (o.unpublished === null || o.existingRequestHash !== hash) return false;
        item.envelope = o.unpublished.envelope;
        item.ctx = extractContext(o.unpublished.traceparent ? { traceparent: o.unpublished.traceparent } : {});
        return true;
      }),
    );
  }

  /**
   * Publishes one recipient's messages whose turn has come, in order and in one publish, until
   * the broker acknowledges them all (or intake stops), then marks them published. A publish
   * that failed part way is repeated whole: a message may reach the topic twice (consumers
   * are idempotent on its id), never after one accepted later.
   */
  private async publishAcked(key: string, items: Publishing[]): Promise<void> {
    const records = items.map(({ envelope, ctx }) => record('accepted', key, envelope, ctx));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.publisher.publishRaw(records);
        break;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.logger.warn({
          message: "publishing accepted messages failed; retrying them before the recipient's later ones",
          messageIds: items.map((i) => i.envelope.id),
          attempt: attempt + 1,
          error: (error as Error).message,
        });
        const stopped = await sleep(backoffDelay(attempt, PUBLISH_RETRY), this.stopping.signal).then(
          () => false,
          () => true,
        );
        if (stopped) return;
      }
    }
    await Promise.all(items.map(({ envelope }) => this.messages.markPublished(envelope.id))).catch((error: Error) =>
      // Published but not marked: the relay publishes them again once this instance is gone (harmless, consumers are idempotent).
      this.logger.warn({ message: 'could not mark accepted messages published', messageIds: items.map((i) => i.envelope.id), error: error.message }),
    );
  }

  private keyOf(envelope: MessageEnvelope): string {
    return this.pseudonyms.token(envelope.tenantId, envelope.message.to);
  }

  /** Publishes what the relay found unpublished, in the order given (acceptance order), each recipient's in turn. */
  async republish(items: { envelope: MessageEnvelope; traceparent: string | null }[]): Promise<void> {
    await Promise.all(items.map(({ envelope, traceparent }) => this.order.add(this.keyOf(envelope), { envelope, ctx: extractContext(traceparent ? { traceparent } : {}) }, true)));
  }
}

interface Publishing {
  envelope: MessageEnvelope;
  ctx: Context;
}
