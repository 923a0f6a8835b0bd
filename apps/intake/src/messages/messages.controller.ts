import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { SendRequestSchema, type SendRequest, type TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { ApiKeyGuard, CurrentTenant } from '@sms/tenancy';
import { extractContext } from '@sms/tracing';
import type { Request, Response } from 'express';
import { TenantRateLimitGuard } from '../limits/tenant-rate-limiter.js';
import { JsonBodyGuard } from './json-body.guard.js';
import { MessageIntakeService } from './message-intake.service.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@Controller('v1/messages')
@UseGuards(ApiKeyGuard, TenantRateLimitGuard, JsonBodyGuard)
export class MessagesController {
  constructor(@Inject(MessageIntakeService) private readonly intake: MessageIntakeService) {}

  /** Accepts a message for the pipeline: 202 with its id, or a 4xx saying what is wrong and where. */
  @Post()
  @HttpCode(202)
  async create(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body(new ZodValidationPipe(SendRequestSchema)) body: SendRequest,
  ): Promise<{ id: string; status: 'accepted' }> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ProblemException(400, 'validation', 'Invalid request', 'headers.idempotency-key: must be 1-200 printable ASCII characters', [
        { path: 'headers.idempotency-key', message: 'must be 1-200 printable ASCII characters' },
      ]);
    }
    const outcome = await this.intake.accept(tenant, body, {
      channel: 'http',
      idempotencyKey,
      parent: extractContext(request.headers as Record<string, string>),
    });
    switch (outcome.kind) {
      case 'invalid':
        throw new ProblemException(
          400,
          'validation',
          'Invalid request',
          outcome.errors.map((e) => `body.${e.path}: ${e.message}`).join('; '),
          outcome.errors.map((e) => ({ path: `body.${e.path}`, message: e.message })),
        );
      case 'suspended':
        throw new ProblemException(403, 'campaign-suspended', 'Campaign suspended', `campaign ${outcome.campaign} is suspended: ${outcome.reason}`, [
          { path: 'body.campaign', message: 'is suspended until an operator lifts the suspension' },
        ]);
      case 'idempotency-conflict':
        throw new ProblemException(422, 'idempotency-key-reused', 'Idempotency key reused', `this Idempotency-Key was first used for message ${outcome.existingId} with a different request`, [
          { path: 'headers.idempotency-key', message: 'already used for a different request' },
        ]);
      case 'accepted':
        if (outcome.replayed) response.setHeader('Idempotent-Replayed', 'true');
        return { id: outcome.id, status: 'accepted' };
    }
  }
}
