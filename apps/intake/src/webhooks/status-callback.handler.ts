import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { KafkaPublisher } from '@sms/kafka';
import { ZodValidationPipe } from '@sms/nest-runtime';
import { extractContext } from '@sms/tracing';
import type { Request, Response } from 'express';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';
import { statusEventFrom } from './status-callback.js';
import { webhookBaseUrl } from './twilio-signature.js';
import { assertTwilioSignature } from './twilio-signature.guard.js';
import { StatusCallbackQuerySchema, StatusWebhookSchema } from './twilio-webhook.js';

/**
 * `POST /twilio/status`: Twilio reports a delivery state of a message the dispatcher sent,
 * three times per message. Handled here, as the route's whole handler, rather than by a
 * controller: no guard, interceptor, pipe or parameter machinery per callback, only what a
 * callback needs. The signature is checked first (as for every webhook), then the URL's
 * message, tenant and trace context and the posted fields, each refusal a 4xx problem (JSON)
 * through the service's exception filter, as on every other route. A state the pipeline
 * tracks is published on `sms.status.v1` before the 204 (Twilio does not retry a status
 * callback by default, so the answer waits for the broker's acknowledgement), carrying the
 * message's trace context from the callback URL so that its consumers' spans join the
 * message's trace; any other state (queued, ...) is answered at once, with no write anywhere.
 */
@Injectable()
export class StatusCallbackHandler implements NestMiddleware<Request, Response> {
  private readonly publicUrl: string;
  private readonly query = new ZodValidationPipe(StatusCallbackQuerySchema, 'query');
  private readonly body = new ZodValidationPipe(StatusWebhookSchema);

  constructor(
    @Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {
    this.publicUrl = webhookBaseUrl(config.INTAKE_PUBLIC_URL);
  }

  async use(request: Request, response: Response): Promise<void> {
    assertTwilioSignature(this.config.TWILIO_AUTH_TOKEN, this.publicUrl, request);
    const query = this.query.transform(request.query);
    const event = statusEventFrom(query, this.body.transform(request.body), new Date());
    if (event) await this.publisher.publishTo('status', event.messageId, event, extractContext(query.tp ? { traceparent: query.tp } : {}));
    response.status(204).end();
  }
}
