import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { requesterLabel, type CancelRequestEvent, type CancelResponse, type MessageStatus } from '@sms/contracts';
import { KafkaPublisher, record } from '@sms/kafka';
import { ProblemException } from '@sms/nest-runtime';
import { sleep } from '@sms/util';
import { AUDIT_CONFIG_TOKEN, type AuditConfig } from '../config.js';
import { HistoryRepository, type StoredEvent } from '../database/history.repository.js';
import { cancellationEventKey, currentStatus, WITH_TWILIO } from '../rules/history.js';

/** States from which nothing is left to cancel: Twilio has the message, or it ended before. */
const TOO_LATE: ReadonlySet<MessageStatus> = new Set([...WITH_TWILIO, 'failed', 'blocked']);
const POLL_MS = 100;

export type CancelResult = { kind: 'cancelled' | 'requested'; answer: CancelResponse };

/**
 * Cancelling a message for its tenant: the request goes on `sms.cancel-requests.v1` (as an
 * upstream product's would) and the dispatcher's ledger decides; this waits for its answer in
 * the history. Throws 404 (not this tenant's), 409 (too late).
 */
@Injectable()
export class CancelService {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(AUDIT_CONFIG_TOKEN) private readonly config: AuditConfig,
  ) {}

  async cancel(tenantId: string, id: string, reason?: string): Promise<CancelResult> {
    const events = await this.history.forMessage(tenantId, id);
    if (events.length === 0) throw new ProblemException(404, 'not-found', 'Message not found', `no message ${id} for this tenant (yet)`);
    const already = events.find((e) => e.facts['cancellation'] === 'cancelled');
    if (already) return { kind: 'cancelled', answer: answer(id, already) };
    const status = currentStatus(events);
    if (TOO_LATE.has(status)) throw tooLate(id, `it is ${status}${status === 'blocked' ? ': nothing to cancel' : ': Twilio has it'}`);

    const request: CancelRequestEvent = {
      requestId: randomUUID(),
      messageId: id,
      tenantId,
      requestedBy: { channel: 'http', name: `API key of tenant ${tenantId}` },
      ...(reason ? { reason } : {}),
      at: new Date().toISOString(),
    };
    await this.publisher.publishRaw([record('cancelRequests', id, request)]);
    const deadline = Date.now() + this.config.CANCEL_WAIT_MS;
    for (;;) {
      const outcome = await this.history.event(tenantId, id, cancellationEventKey(request.requestId));
      if (outcome?.facts['cancellation'] === 'cancelled') return { kind: 'cancelled', answer: answer(id, outcome) };
      if (outcome) throw tooLate(id, outcome.reason ?? 'the dispatcher refused');
      if (Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    return { kind: 'requested', answer: { id, status: 'cancel_requested', requestId: request.requestId, requestedBy: requesterLabel(request.requestedBy), at: request.at } };
  }
}

function tooLate(id: string, why: string): ProblemException {
  return new ProblemException(409, 'too-late-to-cancel', 'Too late to cancel', `message ${id} cannot be cancelled: ${why}`);
}

function answer(id: string, event: StoredEvent): CancelResponse {
  return { id, status: 'cancelled', requestId: String(event.facts['requestId']), requestedBy: String(event.facts['requestedBy']), at: event.occurredAt };
}
