import { Inject, Injectable } from '@nestjs/common';
import { everyHalfOf, PeriodicTask } from '@sms/nest-runtime';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { SendLedgerRepository } from './send-ledger.repository.js';
import { contextOf } from './outcome-records.js';
import { SendEngine } from './send-engine.js';

/**
 * Every few seconds, settles claims in doubt (the instance that held them died between claiming
 * and hearing back from Twilio, its lease ran out; or this instance gave them up) by asking Twilio first: found means sent;
 * not found means Twilio never took it, and it goes back to the queue, paced like any other.
 */
@Injectable()
export class SendReconciler extends PeriodicTask {
  constructor(
    @Inject(SendLedgerRepository) private readonly ledger: SendLedgerRepository,
    @Inject(SendEngine) private readonly engine: SendEngine,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    super({ everyMs: everyHalfOf(config.IN_DOUBT_AFTER_MS, 15_000), failure: 'reconciling in-doubt sends failed; will retry' });
  }

  /** Settles the claims in doubt now; returns how many it looked at. */
  async runOnce(): Promise<number> {
    const rows = await this.ledger.inDoubt(this.config.IN_DOUBT_AFTER_MS, 100, this.engine.instanceId, this.engine.held());
    for (const row of rows) {
      // A claim of this instance's it works on again? Never: a claim it gave up stays given up.
      if (this.engine.holds(row.messageId)) continue;
      const ctx = contextOf(row.traceparent);
      const found = await this.engine.lookUp(row, this.engine.outgoing(row.envelope, ctx)).catch(() => undefined);
      if (found === undefined) continue; // Twilio unreachable: next round.
      if (found) {
        if (await this.engine.settleFound(row, found.sid, null)) this.logger.log({ message: 'in-doubt send found at Twilio; not sent again', messageId: row.messageId });
      } else {
        const back = await this.ledger.requeue([{ messageId: row.messageId, attempts: row.attempts, dueAt: new Date(), reason: 'claim lost in a crash; not found at Twilio' }], {
          olderThanMs: this.config.IN_DOUBT_AFTER_MS,
          by: this.engine.instanceId,
        });
        if (back.size > 0) this.logger.log({ message: 'in-doubt send not found at Twilio; queued again', messageId: row.messageId });
      }
    }
    return rows.length;
  }
}
