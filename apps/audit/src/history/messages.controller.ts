import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { MessageIdSchema, type ClauseId, type Decision, type MessageHistoryView, type TenantConfigEvent } from '@sms/contracts';
import { ProblemException, ZodValidationPipe } from '@sms/nest-runtime';
import { ApiKeyGuard, CurrentTenant } from '@sms/tenancy';
import { HistoryRepository } from '../database/history.repository.js';
import { currentStatus } from '../rules/history.js';

@Controller('v1/messages')
@UseGuards(ApiKeyGuard)
export class MessagesController {
  constructor(@Inject(HistoryRepository) private readonly history: HistoryRepository) {}

  /** What happened to a message: its status and every stage's decision with the clauses cited. */
  @Get(':id')
  async find(
    @CurrentTenant() tenant: TenantConfigEvent,
    @Param('id', new ZodValidationPipe(MessageIdSchema, 'params')) id: string,
  ): Promise<MessageHistoryView> {
    const events = await this.history.forMessage(tenant.tenantId, id);
    if (events.length === 0) {
      // Another tenant's message answers the same as one that does not exist.
      throw new ProblemException(404, 'not-found', 'Message not found', `no message ${id} for this tenant (yet)`);
    }
    const twilioSid = events.find((e) => e.twilioSid !== null)?.twilioSid ?? undefined;
    const status = currentStatus(events);
    const statuses = events
      .filter((e) => e.kind === 'status' && e.status !== null)
      .map((e) => {
        const scheduledFor = typeof e.facts['scheduledFor'] === 'string' ? e.facts['scheduledFor'] : undefined;
        return {
          status: e.status!,
          at: e.occurredAt,
          source: e.stage ?? '',
          ...(e.errorCode !== null ? { errorCode: e.errorCode } : {}),
          ...(e.reason !== null ? { reason: e.reason } : {}),
          ...(e.clauses.length > 0 ? { clauses: e.clauses as ClauseId[] } : {}),
          ...(scheduledFor !== undefined ? { scheduledFor } : {}),
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
}
