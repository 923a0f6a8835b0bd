import { appendVerdict, isStopping, type MessageEnvelope, type Verdict } from '@sms/contracts';
import type { Context } from '@sms/tracing';
import { record, type OutgoingRecord } from './publisher.js';

/** The topics a rule stage hands the messages it lets through to. */
export type NextStageTopic = 'consented' | 'screened' | 'cleared';

/**
 * Where a rule stage sends what it judged, by one rule for every stage: a message its verdict
 * lets through (pass, or transform with the fix applied) goes on to `next`, a message it holds
 * or blocks (`isStopping` in @sms/contracts) to sms.stopped.v1. The stopped topic is keyed by
 * recipient token, and so are the next topics but sms.cleared.v1, which the dispatcher paces
 * per sender.
 */
export interface StageRoute {
  next: NextStageTopic;
  /** The key on `next`, when it is not the recipient token. */
  nextKey?: (judged: MessageEnvelope) => string;
}

export interface StageStep {
  /** The envelope as the stage received it, with anything the stage adds besides its verdict. */
  envelope: MessageEnvelope;
  verdict: Verdict;
  /**
   * The recipient token: the consumed record's key on a topic keyed by it, or how to make it
   * when the consumed record is keyed otherwise (made only when a key needs it).
   */
  recipientToken: string | ((judged: MessageEnvelope) => string);
  /** The trace context of the consumed record's processing. */
  context?: Context;
}

export interface RoutedStep {
  /** The envelope with the verdict appended and its transform applied. */
  envelope: MessageEnvelope;
  /** The message goes on to the next stage (not stopped). */
  goesOn: boolean;
  record: OutgoingRecord;
}

/** Appends a stage's verdict to the envelope and builds the record that carries it on, or to sms.stopped.v1. */
export function routeStep(route: StageRoute, step: StageStep): RoutedStep {
  const judged = appendVerdict(step.envelope, step.verdict);
  const goesOn = !isStopping(step.verdict.decision);
  const token = () => (typeof step.recipientToken === 'string' ? step.recipientToken : step.recipientToken(judged));
  return {
    envelope: judged,
    goesOn,
    record: goesOn ? record(route.next, route.nextKey ? route.nextKey(judged) : token(), judged, step.context) : record('stopped', token(), judged, step.context),
  };
}

/** The records a stage publishes for a batch it judged, in the batch's order. */
export function routeSteps(route: StageRoute, steps: StageStep[]): OutgoingRecord[] {
  return steps.map((step) => routeStep(route, step).record);
}
