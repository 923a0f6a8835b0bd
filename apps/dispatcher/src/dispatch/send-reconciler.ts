import { Inject, Injectable } from '@nestjs/common';
import { everyHalfOf, PeriodicTask } from '@sms/nest-runtime';
import pLimit from 'p-limit';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { SendLedgerRepository } from './send-ledger.repository.js';
import { contextOf } from './outcome-records.js';
import { SendEngine } from './send-engine.js';
import type { SendRow } from './send-row.js';

/** Claims in doubt read at a time, and looked up at Twilio at once. */
const PAGE = 100;
const LOOKUPS_AT_ONCE = 8;
/** Pages one run goes through while whole pages keep coming (a crash under a backlog leaves thousands). */
const MAX_PAGES = 50;

/**
 * Every few seconds, settles claims in doubt (the instance that held them died between claiming
 * and hearing back from Twilio, its lease ran out; or this instance gave them up) by asking Twilio first: found means sent;
 * not found means Twilio never took it, and it goes back to the queue, paced like any other.
 *
 * A dispatcher killed under a backlog leaves thousands of claims: a run looks them up several at
 * a time and goes on to the next page while it settles whole pages (the fault tier's crashes at
 * 500 messages a second left about 2,400, which a page of 100 per round, one lookup at a time,
 * took six minutes to settle). Each instance reads them in an order of its own, so that two
 * reconcilers seldom look up the same claim; when they do, the ledger lets one settle it.
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
    const lookups = pLimit(LOOKUPS_AT_ONCE);
    let looked = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await this.ledger.inDoubt(this.config.IN_DOUBT_AFTER_MS, PAGE, this.engine.instanceId, this.engine.held());
      looked += rows.length;
      const settled = await Promise.all(rows.map((row) => lookups(() => this.settle(row))));
      // A short page was the last; a page that settled nothing (Twilio unreachable) waits for the next round.
      if (rows.length < PAGE || !settled.includes(true)) break;
    }
    return looked;
  }

  /** Looks one claim up and settles it; false when it stays in doubt (Twilio unreachable, or another instance settled it). */
  private async settle(row: SendRow): Promise<boolean> {
    // A claim of this instance's it works on again? Never: a claim it gave up stays given up.
    if (this.engine.holds(row.messageId)) return false;
    const ctx = contextOf(row.traceparent);
    const found = await this.engine.lookUp(row, this.engine.outgoing(row.envelope, ctx)).catch(() => undefined);
    if (found === undefined) return false; // Twilio unreachable: next round.
    if (found) {
      const settled = await this.engine.settleFound(row, found.sid, null);
      if (settled) this.logger.log({ message: 'in-doubt send found at Twilio; not sent again', messageId: row.messageId });
      return settled;
    }
    const back = await this.ledger.requeue([{ messageId: row.messageId, attempts: row.attempts, dueAt: new Date(), reason: 'claim lost in a crash; not found at Twilio' }], {
      olderThanMs: this.config.IN_DOUBT_AFTER_MS,
      by: this.engine.instanceId,
    });
    if (back.size > 0) this.logger.log({ message: 'in-doubt send not found at Twilio; queued again', messageId: row.messageId });
    return back.size > 0;
  }
}
