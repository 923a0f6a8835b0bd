import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import twilio from 'twilio';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

/**
 * Refuses a webhook whose X-Twilio-Signature does not match the account's auth token, the
 * public URL Twilio called and the posted parameters (checked by the official SDK).
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly publicUrl: string;

  constructor(@Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig) {
    this.publicUrl = config.INTAKE_PUBLIC_URL.replace(/\/$/, '');
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const signature = request.header('x-twilio-signature');
    if (!signature) throw new ProblemException(403, 'unsigned-webhook', 'Missing signature', 'the X-Twilio-Signature header is missing');
    if (!request.is('application/x-www-form-urlencoded')) {
      throw new ProblemException(415, 'unsupported-media-type', 'Unsupported media type', 'Twilio webhooks are application/x-www-form-urlencoded');
    }
    const params = (request.body ?? {}) as Record<string, string>;
    const url = `${this.publicUrl}${request.originalUrl}`;
    if (!twilio.validateRequest(this.config.TWILIO_AUTH_TOKEN, signature, url, params)) {
      throw new ProblemException(403, 'bad-signature', 'Invalid signature', 'the X-Twilio-Signature does not match this request');
    }
    return true;
  }
}
