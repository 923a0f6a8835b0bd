import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { requesterLabel, type CancelRequestEvent, type CancelResponse, type MessageStatus } from '@sms/contracts';
import { KafkaPublisher, record } from '@sms/kafka';
import { ProblemException } from '@sms/nest-runtime';
import { sleep } from '@sms/util';
import { AUDIT_CONFIG_TOKEN, type AuditConfig } from '../config.js';
import { HistoryRepository, type StoredEvent } from '../history/history.repository.js';
import { cancellationEventKey, currentStatus, WITH_TWILIO } from '../rules/history.js';
import { HeldMessagesRepository } from '../reviews/held-messages.repository.js';

/** States from which nothing is left to cancel: Twilio has the message, or it ended before. */
const TOO_LATE: ReadonlySet<MessageStatus> = new Set([...WITH_TWILIO, 'failed', 'blocked']);
const POLL_MS = 100;

export type CancelResult = { kind: 'cancelled' | 'requested'; answer: CancelResponse };

/** A cancel begun: cancelled before (the dispatcher's answer is in the history), or a request published now. */
export type CancelStart = { kind: 'cancelled'; answer: CancelResponse } | { kind: 'requested'; request: CancelRequestEvent };

/**
 * Cancelling a message for its tenant: the request goes on `sms.cancel-requests.v1` (as an
 * upstream product's would) and the dispatcher's ledger decides; this waits for its answer in
 * the history. A held message's review closes at once, before the request is published: no
 * reviewer can release a message its tenant asked to cancel, so what the dispatcher says
 * later cannot be "too late" for it. Throws 404 (not this tenant's), 409 (too late).
 */
@Injectable()
export class CancelService {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(HeldMessagesRepository) private readonly held: HeldMessagesRepository,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(AUDIT_CONFIG_TOKEN) private readonly config: AuditConfig,
  ) {}

  async cancel(tenantId: string, id: string, reason?: string): Promise<CancelResult> {
    const started = await this.request(tenantId, id, reason);
    if (started.kind === 'cancelled') return started;
    const { request } = started;
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

  /**
   * The checks and the request of `cancel`, without waiting for the dispatcher's answer. With
   * `review`, the message must be held and its review closed by this call with that note (or
   * by an earlier call with the same note: a retry), else 409 and nothing is published.
   */
  async request(tenantId: string, id: string, reason?: string, review?: { note: string }): Promise<CancelStart> {
    const events = await this.history.forMessage(tenantId, id);
    if (events.length === 0) throw new ProblemException(404, 'not-found', 'Message not found', `no message ${id} for this tenant (yet)`);
    const already = events.find((e) => e.facts['cancellation'] === 'cancelled');
    const status = currentStatus(events);
    if (!already && TOO_LATE.has(status)) throw tooLate(id, `it is ${status}${status === 'blocked' ? ': nothing to cancel' : ': Twilio has it'}`);

    const request: CancelRequestEvent = {
      requestId: randomUUID(),
      messageId: id,
      tenantId,
      requestedBy: { channel: 'http', name: `API key of tenant ${tenantId}` },
      ...(reason ? { reason } : {}),
      at: new Date().toISOString(),
    };
    const closed = await this.held.cancelled([{ messageId: id, tenantId, by: requesterLabel(request.requestedBy), at: request.at, ...(review ? { note: review.note } : {}) }]);
    if (review && !closed.has(id)) {
      const held = await this.held.find(id);
      if (held?.tenantId !== tenantId || held.status !== 'cancelled' || held.note !== review.note) {
        throw new ProblemException(409, 'already-decided', 'Already decided', `message ${id} is not held for review: ${held ? `${held.status} by ${held.decidedBy ?? 'someone'}` : 'never held'}`);
      }
    }
    if (already) return { kind: 'cancelled', answer: answer(id, already) };
    await this.publisher.publishRaw([record('cancelRequests', id, request)]);
    return { kind: 'requested', request };
  }
}

function tooLate(id: string, why: string): ProblemException {
  return new ProblemException(409, 'too-late-to-cancel', 'Too late to cancel', `message ${id} cannot be cancelled: ${why}`);
}

function answer(id: string, event: StoredEvent): CancelResponse {
  return { id, status: 'cancelled', requestId: String(event.facts['requestId']), requestedBy: String(event.facts['requestedBy']), at: event.occurredAt };
}
