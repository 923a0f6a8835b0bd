import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Where a message is in the dispatcher. */
export type SendState =
  /** Waiting for its due time (sendAt, quiet hours, a daily cap) and its pacing slot. */
  | 'queued'
  /** Claimed for a call to Twilio: recorded before the call, so a crash leaves it to be looked up. */
  | 'sending'
  /** Twilio took it. */
  | 'accepted'
  /** Twilio refused it for good, or retries gave up. */
  | 'failed'
  /** Stopped at the last moment: the recipient opted out (MP.OPTOUT.HONOR). */
  | 'blocked'
  /** No time can be found for it (quiet hours never open), or marketing to the person is paused: a person must decide (a release queues it again). */
  | 'held'
  /** Cancelled before it was handed to Twilio (a cancel request): never sent. */
  | 'cancelled';

/**
 * One row per message the dispatcher was given: the durable queue (deferred and waiting for
 * pacing) and the send ledger. The primary key is what makes a message reach Twilio at most
 * once, however often Kafka redelivers it (DESIGN principle 3). The row is kept narrow (the
 * envelope is in `send_envelopes`) and its indexes name no column that the hand-over before a
 * call changes, so that most of its changes are cheap (see migration 1767000000000).
 */
@Entity({ name: 'sends' })
@Index('sends_claimed_idx', ['claimedBy'], { where: `"state" = 'sending'` })
@Index('sends_queued_idx', ['senderKey', 'priority', 'dueAt'], { where: `"state" = 'queued'` })
@Index('sends_at_twilio_idx', ['senderKey', 'acceptedAt'], { where: `"state" = 'accepted' AND "delivery_status" IS NULL` })
@Index('sends_awaiting_delivery_idx', ['acceptedAt'], { where: `"state" = 'accepted' AND ("delivery_status" IS NULL OR "delivery_status" = 'sent')` })
@Index('sends_twilio_sid_idx', ['twilioSid'], { unique: true, where: `"twilio_sid" IS NOT NULL` })
@Index('sends_confirmations_idx', ['tenantId', 'recipientToken'], { where: `"kind" = 'opt_out_confirmation'` })
export class SendEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  state!: SendState;

  /** The queue the message waits in: tenant and sender number or messaging service. */
  @Column({ name: 'sender_key', type: 'text' })
  senderKey!: string;

  /** 0 for answers to a person (an opt-out confirmation, a HELP answer, a conversational reply), which go first; 1 for the rest. */
  @Column({ type: 'integer' })
  priority!: number;

  /** Not before this time (sendAt, the end of quiet hours, the next day of a daily cap). */
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  /** SMS segments the body takes: what pacing counts. */
  @Column({ type: 'integer' })
  segments!: number;

  @Column({ type: 'text' })
  kind!: string;

  /** Keyed hash of (tenant, recipient), for the opt-out check without the number in clear. */
  @Column({ name: 'recipient_token', type: 'text', nullable: true })
  recipientToken!: string | null;

  /** W3C trace context of the message, so that its send joins the message's trace. */
  @Column({ type: 'text', nullable: true })
  traceparent!: string | null;

  /** Why the message was last deferred. */
  @Column({ type: 'text', nullable: true })
  deferral!: string | null;

  @Column({ name: 'twilio_sid', type: 'text', nullable: true })
  twilioSid!: string | null;

  /**
   * The attempt whose call to Twilio began (written with the limiter's last check, right
   * before the call): from then on the message is Twilio's, and a cancel request is refused.
   */
  @Column({ name: 'handed_attempt', type: 'integer', nullable: true })
  handedAttempt!: number | null;

  /** Calls to Twilio claimed so far (a claim is one attempt). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Attempts a pause of the account or the sender answered (send_pauses): they do not count against SEND_MAX_ATTEMPTS. */
  @Column({ name: 'paused_attempts', type: 'integer', default: 0 })
  pausedAttempts!: number;

  @Column({ name: 'error_code', type: 'integer', nullable: true })
  errorCode!: number | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  /** What Twilio's status callbacks reported last: sent, delivered, undelivered, failed (never backwards). */
  @Column({ name: 'delivery_status', type: 'text', nullable: true })
  deliveryStatus!: string | null;

  @Column({ name: 'delivery_error_code', type: 'integer', nullable: true })
  deliveryErrorCode!: number | null;

  /** When Twilio was last asked for the delivery state because no final callback had come (a lost callback). */
  @Column({ name: 'delivery_checked_at', type: 'timestamptz', nullable: true })
  deliveryCheckedAt!: Date | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  /** When the limiter let the accepted call start, by the database's clock: the record pacing is checked on. */
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /**
   * The instance holding the claim (`sending`): its lease in `send_instances` covers every claim
   * it holds. Null before the first claim, and for claims of versions before instance leases.
   */
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Last change; for a claim, when it was taken or handed to Twilio, whichever came last (how long it has been in doubt). */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * The envelope of each message of the ledger, so that a queued or in-doubt message can be sent
 * or looked up after a restart. Written once when the message is queued (and again when a
 * reviewer releases a hold made here), never with the changes of state.
 */
@Entity({ name: 'send_envelopes' })
export class SendEnvelopeEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ type: 'jsonb' })
  envelope!: unknown;
}

/**
 * One lease per running dispatcher instance over all the claims it holds (`sends.claimed_by`),
 * renewed every quarter of IN_DOUBT_AFTER_MS. A claim whose instance stopped renewing is in
 * doubt and settled by the reconciler of any instance.
 */
@Entity({ name: 'send_instances' })
export class SendInstanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'alive_until', type: 'timestamptz' })
  aliveUntil!: Date;
}
