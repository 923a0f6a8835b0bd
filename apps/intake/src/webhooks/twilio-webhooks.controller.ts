import { Body, Controller, Header, HttpCode, Inject, Logger, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import type { InboundMessageEvent } from '@sms/contracts';
import { parseInternationalNumber } from '@sms/domain';
import { ZodValidationPipe } from '@sms/nest-runtime';
import { TenantDirectory } from '@sms/tenancy';
import { randomUUID } from 'node:crypto';
import { EMPTY_TWIML, InboundWebhookSchema, type InboundWebhook } from './twilio-webhook.js';
import { InboundOutbox } from './inbound-outbox.service.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';
import { WebhookReplayGuard } from './webhook-replay.guard.js';

/** Twilio's inbound-message webhook; its status callbacks have a lean handler of their own (status-callback.handler.ts). */
@Controller('twilio')
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  private readonly logger = new Logger(TwilioWebhooksController.name);

  constructor(
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
}
