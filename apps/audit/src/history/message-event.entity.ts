import { Column, Entity, Index } from 'typeorm';
import { ChainedRecord } from './chained-record.js';

/**
 * Every decision and status change of every message (AUP.REPORTING). Append-only: the
 * database refuses updates and deletes on this table (see the migration's trigger). The
 * (message, event key) pair is unique, so a redelivered event is recorded once.
 */
@Entity({ name: 'message_events' })
@Index('message_events_message_uq', ['messageId', 'eventKey'], { unique: true })
@Index('message_events_tenant_time_idx', ['tenantId', 'occurredAt'])
@Index('message_events_violations_idx', ['tenantId', 'occurredAt'], { where: `"decision" = 'block'` })
export class MessageEventEntity extends ChainedRecord {
  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ type: 'text', nullable: true })
  campaign!: string | null;

  /** "decision:<stage>:<n>" or "status:<status>". */
  @Column({ name: 'event_key', type: 'text' })
  eventKey!: string;

  @Column({ type: 'text' })
  kind!: 'decision' | 'status';

  @Column({ type: 'text', nullable: true })
  stage!: string | null;

  @Column({ type: 'text', nullable: true })
  decision!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  clauses!: string[];

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text', nullable: true })
  status!: string | null;

  @Column({ name: 'twilio_sid', type: 'text', nullable: true })
  twilioSid!: string | null;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  facts!: Record<string, unknown>;
}
