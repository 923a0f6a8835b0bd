import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';
import { twilioSignatureRefusal, webhookBaseUrl } from './twilio-signature.js';

/**
 * Refuses a webhook whose X-Twilio-Signature does not match the account's auth token, the
 * public URL Twilio called and the posted parameters (checked by the official SDK).
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly publicUrl: string;

  constructor(@Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig) {
    this.publicUrl = webhookBaseUrl(config.INTAKE_PUBLIC_URL);
  }

  canActivate(context: ExecutionContext): boolean {
    assertTwilioSignature(this.config.TWILIO_AUTH_TOKEN, this.publicUrl, context.switchToHttp().getRequest<Request>());
    return true;
  }
}

/** Throws the problem (403, or 415 for a body that is not a form) unless the request is signed by Twilio. */
export function assertTwilioSignature(authToken: string, publicUrl: string, request: Request): void {
  const refusal = twilioSignatureRefusal(authToken, publicUrl, {
    signature: request.header('x-twilio-signature'),
    isForm: Boolean(request.is('application/x-www-form-urlencoded')),
    originalUrl: request.originalUrl,
    params: (request.body ?? {}) as Record<string, unknown>,
  });
  if (refusal) throw new ProblemException(refusal.status, refusal.type, refusal.title, refusal.detail);
}
