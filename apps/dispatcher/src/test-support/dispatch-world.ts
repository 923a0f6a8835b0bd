import { randomBytes } from 'node:crypto';
import { consentStateKey, type MessageEnvelope, type TenantConfigEvent, type TopicKey, type TopicValue } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { createKafkaClient, record } from '@sms/kafka';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { senderKeyOf } from '../rules/sender-rate.js';
import type { StoredPause } from '../dispatch/send-pauses.repository.js';
import type { StackLike } from './processes.js';

export interface LedgerRow {
  message_id: string;
  state: string;
  attempts: number;
  paused_attempts: number;
  twilio_sid: string | null;
  error_code: number | null;
  error_message: string | null;
  delivery_status: string | null;
  deferral: string | null;
  due_at: Date | null;
  /** When the limiter let the call to Twilio start; null when no call was made. */
  started_at: Date | null;
}

/** A row of dispatcher.send_pauses, as the repository stores it. */
export type PauseRow = StoredPause;

/** What the dispatcher's integration tests put on Kafka and read from its tables. */
export class DispatchWorld {
  private readonly kafka;
  private producer: Producer | null = null;
  readonly db: pg.Pool;
  readonly pseudonyms: Pseudonymizer;

  constructor(stack: StackLike) {
    this.kafka = createKafkaClient({
      brokers: stack.kafkaBrokers,
      clientId: `dispatcher-int-${randomBytes(3).toString('hex')}`,
      log: { error: () => undefined, warn: () => undefined, info: () => undefined },
    });
    this.db = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
    this.pseudonyms = new Pseudonymizer(stack.piiHashKey);
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.db.end();
  }

  async publish<K extends TopicKey>(topic: K, key: string, value: TopicValue<K>): Promise<void> {
    await this.publishTogether(topic, [[key, value]]);
  }

  /** Records in one produce request: appended together, so a consumer fetches them in one batch. */
  async publishTogether<K extends TopicKey>(topic: K, entries: [key: string, value: TopicValue<K>][]): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    const records = entries.map(([key, value]) => record(topic, key, value));
    await this.producer.send({ topic: records[0]!.topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })) });
  }

  tenant(tenant: TenantConfigEvent): Promise<void> {
    return this.publish('tenantConfig', tenant.tenantId, tenant);
  }

  /** Cleared messages, keyed by sender as the snowshoeing detector keys them. */
  async cleared(...envelopes: MessageEnvelope[]): Promise<void> {
    for (const e of envelopes) await this.publish('cleared', senderKeyOf(e), e);
  }

  optOut(tenantId: string, to: string, scope: string, optedOut = true): Promise<void> {
    const state = { tenantId, scope, recipientToken: this.pseudonyms.token(tenantId, to), optedOut, reason: 'STOP', changedAt: new Date().toISOString() };
    return this.publish('consentState', consentStateKey(state), state);
  }

  async ledger(ids: string[]): Promise<LedgerRow[]> {
    const { rows } = await this.db.query<LedgerRow>(
      `SELECT message_id, state, attempts, paused_attempts, twilio_sid, error_code, error_message, delivery_status, deferral, due_at, started_at FROM dispatcher.sends WHERE message_id = ANY($1::uuid[])`,
      [ids],
    );
    return rows;
  }

  /** The sending pause of a scope ("account" or a sender key), in force or ended; undefined when none was ever stored. */
  async pause(scope: string): Promise<PauseRow | undefined> {
    const { rows } = await this.db.query<PauseRow>(`SELECT scope, code, reason, since, until, hits FROM dispatcher.send_pauses WHERE scope = $1 AND hits > 0`, [scope]);
    return rows[0];
  }

  /** The ledger rows once every one of them is in one of the given states, else undefined. */
  async settled(ids: string[], states: string[]): Promise<LedgerRow[] | undefined> {
    const rows = await this.ledger(ids);
    return rows.length === ids.length && rows.every((r) => states.includes(r.state)) ? rows : undefined;
  }
}

/** A fresh tenant id, a sender number and recipient numbers no other test uses. */
export function uniqueTenantId(): string {
  return `t-${randomBytes(4).toString('hex')}`;
}

export function uniqueNumber(areaCode: string): string {
  return `+1${areaCode}${String(2_000_000 + (randomBytes(3).readUIntBE(0, 3) % 7_000_000)).padStart(7, '0')}`;
}

export function uniqueMessagingService(): string {
  return `MG${randomBytes(16).toString('hex')}`;
}
