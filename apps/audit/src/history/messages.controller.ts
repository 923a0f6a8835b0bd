import { Delete, Get, Inject, Param, Res } from '@nestjs/common';
import { MessageIdSchema, type CancelResponse, type ClauseId, type Decision, type MessageHistoryView, type TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { CurrentTenant, TenantApi } from '@sms/tenancy';
import type { Response } from 'express';
import { CancelService } from '../cancellation/cancel.service.js';
import { currentStatus } from '../rules/history.js';
import { HistoryRepository } from './history.repository.js';

const notFound = (id: string) => new ProblemException(404, 'not-found', 'Message not found', `no message ${id} for this tenant (yet)`);

@TenantApi('v1/messages')
export class MessagesController {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(CancelService) private readonly cancels: CancelService,
  ) {}

  /** What happened to a message: its status and every stage's decision with the clauses cited. */
  @Get(':id')
  async find(@CurrentTenant() tenant: TenantConfigEvent, @Param('id', new ZodValidationPipe(MessageIdSchema, 'params')) id: string): Promise<MessageHistoryView> {
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
   * Cancels a message that has not been handed to Twilio, whatever stage it is in; the
   * dispatcher's ledger decides: 200 cancelled, 409 once Twilio has it (or it ended), 202 if
   * no answer came in CANCEL_WAIT_MS (it then shows in the history).
   */
  @Delete(':id')
  async cancel(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('id', new ZodValidationPipe(MessageIdSchema, 'params')) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CancelResponse> {
    const result = await this.cancels.cancel(tenant.tenantId, id);
    if (result.kind === 'requested') response.status(202);
    return result.answer;
  }
}
