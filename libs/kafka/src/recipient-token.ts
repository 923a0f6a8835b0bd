import type { ConsumedRecord, DeadLetter } from './topic-consumer.js';

/**
 * The recipient token of each record of a topic keyed by it (sms.accepted.v1, consented,
 * screened, stopped, inbound): the record's key, the keyed hash its producer made, not made
 * again. A record without a key breaks its topic's contract: with `orMake` its token is made
 * from its content (a person's STOP must be honoured whoever forgot the key), else it becomes a
 * dead letter.
 */
export function withRecipientTokens<T>(
  records: ConsumedRecord<T>[],
  orMake?: (record: ConsumedRecord<T>) => string,
): { keyed: { record: ConsumedRecord<T>; recipientToken: string }[]; deadLetters: DeadLetter[] } {
  const keyed: { record: ConsumedRecord<T>; recipientToken: string }[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const record of records) {
    if (record.key) keyed.push({ record, recipientToken: record.key });
    else if (orMake) keyed.push({ record, recipientToken: orMake(record) });
    else deadLetters.push({ record, error: new Error(`${record.topic} is keyed by recipient token, and this record has no key`) });
  }
  return { keyed, deadLetters };
}
