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
    return {
      id,
      status: currentStatus(events),
      ...(twilioSid ? { twilioSid } : {}),
      decisions: events
        .filter((e) => e.kind === 'decision')
        .map((e) => ({ stage: e.stage ?? '', decision: e.decision as Decision, clauses: e.clauses as ClauseId[], reason: e.reason ?? '', at: e.occurredAt })),
      statuses: events
        .filter((e) => e.kind === 'status' && e.status !== null)
        .map((e) => ({ status: e.status!, at: e.occurredAt, source: e.stage ?? '', ...(e.errorCode !== null ? { errorCode: e.errorCode } : {}) })),
    };
  }
}
