import { Inject, Injectable } from '@nestjs/common';
import { statusFromTwilio, type DeliveryStatus, type StatusEvent } from '@sms/contracts';
import { KafkaPublisher, record, type OutgoingRecord } from '@sms/kafka';
import { everyHalfOf, PeriodicTask } from '@sms/nest-runtime';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { contextOf } from '../dispatch/outcome-records.js';
import { TwilioGateway } from '../twilio/twilio-gateway.js';
import { DeliveriesRepository } from './deliveries.repository.js';

/** How long Twilio may take to report a final state; past it a send is no longer looked up. */
const LOOKUP_FOR_MS = 72 * 3_600_000;
const BATCH = 100;

/**
 * Status callbacks can be lost (intake down longer than Twilio retries, a network fault), and
 * then a message Twilio took would stay `sending` or `sent` for ever. Every so often this asks
 * Twilio for the state of sends without a final callback after DELIVERY_CHECK_AFTER_MS, and
 * publishes what Twilio knows on `sms.status.v1` (source `twilio-lookup`), as a callback would.
 * A late real callback changes nothing: statuses only move forward, and audit keeps each once.
 */
@Injectable()
export class DeliveryLookup extends PeriodicTask {
  constructor(
    @Inject(DeliveriesRepository) private readonly deliveries: DeliveriesRepository,
    @Inject(TwilioGateway) private readonly twilio: TwilioGateway,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    super({ everyMs: everyHalfOf(config.DELIVERY_CHECK_AFTER_MS, 60_000), failure: 'looking up delivery states failed; will retry' });
  }

  /** Looks up one batch of sends whose final callback is overdue; returns how many it asked about. */
  async runOnce(): Promise<number> {
    const rows = await this.deliveries.awaitingDelivery(this.config.DELIVERY_CHECK_AFTER_MS, LOOKUP_FOR_MS, BATCH);
    const events: OutgoingRecord[] = [];
    const learned: { messageId: string; twilioSid: string; status: DeliveryStatus; errorCode: number | null }[] = [];
    let unreachable: { count: number; error: string } | null = null;
    for (const row of rows) {
      if (row.twilioSid === null) continue;
      const found = await this.twilio.fetchStatus(row.twilioSid).catch((error: Error) => {
        unreachable = { count: (unreachable?.count ?? 0) + 1, error: error.message };
        return undefined;
      });
      if (found === undefined) continue; // Twilio unreachable: asked again after DELIVERY_CHECK_AFTER_MS.
      const status = statusFromTwilio(found.status);
      if (status === null || status === row.deliveryStatus) continue;
      const event: StatusEvent = {
        messageId: row.messageId,
        tenantId: row.tenantId,
        status,
        source: 'twilio-lookup',
        twilioSid: row.twilioSid,
        ...(found.errorCode !== null ? { errorCode: found.errorCode } : {}),
        ...(found.errorMessage !== null ? { errorMessage: found.errorMessage.slice(0, 500) } : {}),
        at: new Date().toISOString(),
      };
      events.push(record('status', row.messageId, event, contextOf(row.traceparent)));
      learned.push({ messageId: row.messageId, twilioSid: row.twilioSid, status, errorCode: found.errorCode });
    }
    if (unreachable !== null) this.logger.warn({ message: 'looking up delivery states at Twilio failed; will ask again', ...(unreachable as { count: number; error: string }) });
    if (events.length > 0) {
      await this.publisher.publishRaw(events);
      // Recorded here too (not only when the event comes back), so the next round does not ask again.
      await this.deliveries.recordDeliveries(learned);
      this.logger.log({ message: 'delivery states looked up at Twilio (callbacks missing)', count: events.length });
    }
    return rows.length;
  }
}
