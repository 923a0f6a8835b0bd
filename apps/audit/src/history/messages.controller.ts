import { randomUUID } from 'node:crypto';
import { Controller, Delete, Get, Inject, Param, Res, UseGuards } from '@nestjs/common';
import {
  MessageIdSchema,
  requesterLabel,
  type CancelRequestEvent,
  type CancelResponse,
  type ClauseId,
  type Decision,
  type MessageHistoryView,
  type MessageStatus,
  type TenantConfigEvent,
} from '@sms/contracts';
import { KafkaPublisher, record } from '@sms/kafka';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { ApiKeyGuard, CurrentTenant } from '@sms/tenancy';
import { sleep } from '@sms/util';
import type { Response } from 'express';
import { AUDIT_CONFIG_TOKEN, type AuditConfig } from '../config.js';
import { HistoryRepository, type StoredEvent } from '../database/history.repository.js';
import { cancellationEventKey, currentStatus } from '../rules/history.js';

/** States from which nothing is left to cancel: Twilio has the message, or it ended before. */
const TOO_LATE: ReadonlySet<MessageStatus> = new Set(['sending', 'sent', 'delivered', 'undelivered', 'failed', 'blocked']);
const POLL_MS = 100;

const notFound = (id: string) => new ProblemException(404, 'not-found', 'Message not found', `no message ${id} for this tenant (yet)`);

@Controller('v1/messages')
@UseGuards(ApiKeyGuard)
export class MessagesController {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(AUDIT_CONFIG_TOKEN) private readonly config: AuditConfig,
  ) {}

  /** What happened to a message: its status and every stage's decision with the clauses cited. */
  @Get(':id')
  async find(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('id', new ZodValidationPipe(MessageIdSchema, 'params')) id: string,
  ): Promise<MessageHistoryView> {
    const events = await this.history.forMessage(tenant.tenantId, id);
    // Another tenant's message answers the same as one that does not exist.
    if (events.length === 0) throw notFound(id);
    const twilioSid = events.find((e) => e.twilioSid !== null)?.twilioSid ?? undefined;
    const status = currentStatus(events);
    const statuses = events
      .filter((e) => e.kind === 'status' && e.status !== null)
      .map((e) => {
        const scheduledFor = typeof e.facts['scheduledFor'] === 'string' ? e.facts['scheduledFor'] : undefined;
        const outcome = e.facts['cancellation'];
        const cancellation: 'cancelled' | 'refused' | undefined = outcome === 'cancelled' || outcome === 'refused' ? outcome : undefined;
        const requestedBy = typeof e.facts['requestedBy'] === 'string' ? e.facts['requestedBy'] : undefined;
        return {
          status: e.status!,
          at: e.occurredAt,
          source: e.stage ?? '',
          ...(e.errorCode !== null ? { errorCode: e.errorCode } : {}),
          ...(e.reason !== null ? { reason: e.reason } : {}),
          ...(e.clauses.length > 0 ? { clauses: e.clauses as ClauseId[] } : {}),
          ...(scheduledFor !== undefined ? { scheduledFor } : {}),
          ...(cancellation !== undefined ? { cancellation } : {}),
          ...(requestedBy !== undefined ? { requestedBy } : {}),
        };
      });
    // The latest deferral says when and why, while the message waits for it.
    const deferred = status === 'scheduled' ? statuses.filter((s) => s.status === 'scheduled' && s.scheduledFor !== undefined).at(-1) : undefined;
    return {
      id,
      status,
      ...(twilioSid ? { twilioSid } : {}),
      decisions: events
        .filter((e) => e.kind === 'decision')
        .map((e) => ({ stage: e.stage ?? '', decision: e.decision as Decision, clauses: e.clauses as ClauseId[], reason: e.reason ?? '', at: e.occurredAt })),
      statuses,
      ...(deferred ? { deferral: { scheduledFor: deferred.scheduledFor!, reason: deferred.reason ?? '', clauses: deferred.clauses ?? [] } } : {}),
    };
  }

  /**
   * Cancels a message that has not been handed to Twilio, whatever stage it is in. The
   * request goes on `sms.cancel-requests.v1` (as an upstream product's would) and the
   * dispatcher's ledger decides; this waits for its answer in the history: 200 cancelled,
   * 409 once Twilio has it (or it ended), 202 if no answer came in CANCEL_WAIT_MS.
   */
  @Delete(':id')
  async cancel(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('id', new ZodValidationPipe(MessageIdSchema, 'params')) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CancelResponse> {
    const events = await this.history.forMessage(tenant.tenantId, id);
    if (events.length === 0) throw notFound(id);
    const already = events.find((e) => e.facts['cancellation'] === 'cancelled');
    if (already) return answer(id, already, 'cancelled');
    const status = currentStatus(events);
    if (TOO_LATE.has(status)) throw tooLate(id, `it is ${status}${status === 'blocked' ? ': nothing to cancel' : ': Twilio has it'}`);

    const request: CancelRequestEvent = {
      requestId: randomUUID(),
      messageId: id,
      tenantId: tenant.tenantId,
      requestedBy: { channel: 'http', name: `API key of tenant ${tenant.tenantId}` },
      at: new Date().toISOString(),
    };
    await this.publisher.publishRaw([record('cancelRequests', id, request)]);
    const deadline = Date.now() + this.config.CANCEL_WAIT_MS;
    for (;;) {
      const outcome = await this.history.event(tenant.tenantId, id, cancellationEventKey(request.requestId));
      if (outcome?.facts['cancellation'] === 'cancelled') return answer(id, outcome, 'cancelled');
      if (outcome) throw tooLate(id, outcome.reason ?? 'the dispatcher refused');
      if (Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    response.status(202);
    return { id, status: 'cancel_requested', requestId: request.requestId, requestedBy: requesterLabel(request.requestedBy), at: request.at };
  }
}

function tooLate(id: string, why: string): ProblemException {
  return new ProblemException(409, 'too-late-to-cancel', 'Too late to cancel', `message ${id} cannot be cancelled: ${why}`);
}

function answer(id: string, event: StoredEvent, status: 'cancelled'): CancelResponse {
  return { id, status, requestId: String(event.facts['requestId']), requestedBy: String(event.facts['requestedBy']), at: event.occurredAt };
}
