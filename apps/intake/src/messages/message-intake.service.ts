import { Inject, Injectable, Logger } from '@nestjs/common';
import { messageIdFor, type MessageEnvelope, type SendRequest, type TenantConfigEvent } from '@sms/contracts';
import { KafkaPublisher } from '@sms/kafka';
import { context, injectContext, SpanKind, tracer, trace, type Context } from '@sms/tracing';
import { Pseudonymizer } from '@sms/util';
import { createHash, randomUUID } from 'node:crypto';
import { buildEnvelope, type FieldError } from './build-envelope.js';
import { AcceptedMessageRepository } from './accepted-message.repository.js';
import { extractContext } from '@sms/tracing';

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
}

/** Stable hash of a request, so a reused idempotency key with a different request is caught. */
export function requestHash(request: SendRequest): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b))));
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Accepting a message: validate it against the tenant, store it in the outbox, answer, and
 * publish it to `sms.accepted.v1` right away (the outbox relay covers a crash or an outage).
 */
@Injectable()
export class MessageIntakeService {
  private readonly logger = new Logger(MessageIntakeService.name);

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
      const outcome = await context.with(ctx, () => this.messages.insert({ envelope, requestHash: hash, traceparent }));
      if (!outcome.inserted) {
        span.setAttribute('sms.message_id', outcome.existingId);
        if (outcome.existingRequestHash !== hash) return { kind: 'idempotency-conflict', existingId: outcome.existingId };
        span.setAttribute('sms.outcome', 'replayed');
        return { kind: 'accepted', id: outcome.existingId, replayed: true };
      }
      span.setAttribute('sms.message_id', envelope.id);
      span.setAttribute('sms.outcome', 'accepted');
      this.publishAccepted(envelope, ctx);
      return { kind: 'accepted', id: envelope.id, replayed: false };
    } finally {
      span.end();
    }
  }

  /** Publishes and marks; failures are left to the outbox relay, never to the caller. */
  publishAccepted(envelope: MessageEnvelope, ctx: Context): void {
    const key = this.pseudonyms.token(envelope.tenantId, envelope.message.to);
    this.publisher
      .publishTo('accepted', key, envelope, ctx)
      .then(() => this.messages.markPublished(envelope.id))
      .catch((error: Error) =>
        this.logger.warn({ message: 'publishing an accepted message failed; the outbox relay will retry', messageId: envelope.id, error: error.message }),
      );
  }

  /** Publishes what the relay found unpublished. */
  async republish(items: { envelope: MessageEnvelope; traceparent: string | null }[]): Promise<void> {
    await Promise.all(
      items.map(async ({ envelope, traceparent }) => {
        const ctx = extractContext(traceparent ? { traceparent } : {});
        const key = this.pseudonyms.token(envelope.tenantId, envelope.message.to);
        await this.publisher.publishTo('accepted', key, envelope, ctx);
        await this.messages.markPublished(envelope.id);
      }),
    );
  }
}
