import { Body, Controller, Header, HttpCode, Inject, Logger, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { statusFromTwilio, type InboundMessageEvent, type StatusEvent } from '@sms/contracts';
import { parseInternationalNumber } from '@sms/domain';
import { KafkaPublisher } from '@sms/kafka';
import { ZodValidationPipe } from '@sms/nest-runtime';
import { TenantDirectory } from '@sms/tenancy';
import { extractContext } from '@sms/tracing';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { EMPTY_TWIML, InboundWebhookSchema, StatusCallbackQuerySchema, StatusWebhookSchema, type InboundWebhook, type StatusWebhook } from './twilio-webhook.js';
import { InboundOutbox } from './inbound-outbox.service.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';
import { StatusCallbackReplayGuard, WebhookReplayGuard } from './webhook-replay.guard.js';

@Controller('twilio')
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  private readonly logger = new Logger(TwilioWebhooksController.name);

  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(InboundOutbox) private readonly inboundOutbox: InboundOutbox,
  ) {}

  /** A person texted one of our numbers (STOP, START, HELP or a reply). */
  @Post('inbound')
  @UseInterceptors(WebhookReplayGuard)
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async inbound(@Body(new ZodValidationPipe(InboundWebhookSchema)) body: InboundWebhook): Promise<string> {
    const from = parseInternationalNumber(body.From);
    const to = parseInternationalNumber(body.To);
    const tenant = to.ok ? this.tenants.bySenderNumber(to.value.e164) : undefined;
    if (!from.ok || !to.ok || !tenant) {
      this.logger.warn({ message: 'inbound message for no known tenant number; acknowledged and ignored', twilioSid: body.MessageSid });
      return EMPTY_TWIML;
    }
    const event: InboundMessageEvent = {
      id: randomUUID(),
      tenantId: tenant.tenantId,
      twilioSid: body.MessageSid,
      from: from.value.e164,
      to: to.value.e164,
      body: body.Body,
      ...(body.OptOutType !== undefined ? { optOutType: body.OptOutType } : {}),
      receivedAt: new Date().toISOString(),
    };
    // Twilio does not retry an inbound webhook that failed: acknowledge once it is stored, and
    // publish from the outbox (the relay covers a broker outage), so no STOP is ever lost.
    await this.inboundOutbox.accept(event);
    return EMPTY_TWIML;
  }

  /** Twilio reports a delivery state for a message the dispatcher sent. */
  @Post('status')
  @UseInterceptors(StatusCallbackReplayGuard)
  @HttpCode(204)
  async status(
    @Query(new ZodValidationPipe(StatusCallbackQuerySchema, 'query')) query: z.infer<typeof StatusCallbackQuerySchema>,
    @Body(new ZodValidationPipe(StatusWebhookSchema)) body: StatusWebhook,
  ): Promise<void> {
    const status = statusFromTwilio(body.MessageStatus);
    if (status === null) return;
    const event: StatusEvent = {
      messageId: query.m,
      tenantId: query.t,
      status,
      source: 'twilio-callback',
      twilioSid: body.MessageSid,
      ...(body.ErrorCode !== undefined ? { errorCode: Number(body.ErrorCode) } : {}),
      ...(body.ErrorMessage !== undefined ? { errorMessage: body.ErrorMessage } : {}),
      at: new Date().toISOString(),
    };
    await this.publisher.publishTo('status', event.messageId, event, extractContext(query.tp ? { traceparent: query.tp } : {}));
  }
}
