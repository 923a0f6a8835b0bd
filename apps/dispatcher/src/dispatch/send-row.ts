import type { MessageEnvelope } from '@sms/contracts';
import type { SendState } from './send.entity.js';

/** A row of the send ledger (dispatcher.sends) without its envelope, as the repositories that read it return it. */
export interface LedgerRow {
  messageId: string;
  tenantId: string;
  state: SendState;
  senderKey: string;
  segments: number;
  kind: string;
  recipientToken: string | null;
  traceparent: string | null;
  twilioSid: string | null;
  attempts: number;
  /** Attempts a pause of the account or the sender answered: not counted against SEND_MAX_ATTEMPTS. */
  pausedAttempts: number;
  errorCode: number | null;
  errorMessage: string | null;
  deliveryStatus: string | null;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of the send ledger with its envelope (dispatcher.send_envelopes). */
export interface SendRow extends LedgerRow {
  envelope: MessageEnvelope;
}

/** A row of dispatcher.sends as PostgreSQL returns it. */
export interface LedgerRowRaw {
  message_id: string;
  tenant_id: string;
  state: SendState;
  sender_key: string;
  segments: number;
  kind: string;
  recipient_token: string | null;
  traceparent: string | null;
  twilio_sid: string | null;
  attempts: number;
  paused_attempts: number;
  error_code: number | null;
  error_message: string | null;
  delivery_status: string | null;
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of dispatcher.sends joined with its envelope, as PostgreSQL returns it. */
export interface SendRowRaw extends LedgerRowRaw {
  envelope: MessageEnvelope;
}

/** The columns of a SendRowRaw: the ledger row `s` and the envelope of `e` (dispatcher.send_envelopes). */
export const SEND_ROW_COLUMNS = 's.*, e.envelope';

export const toLedgerRow = (r: LedgerRowRaw): LedgerRow => ({
  messageId: r.message_id,
  tenantId: r.tenant_id,
  state: r.state,
  senderKey: r.sender_key,
  segments: r.segments,
  kind: r.kind,
  recipientToken: r.recipient_token,
  traceparent: r.traceparent,
  twilioSid: r.twilio_sid,
  attempts: r.attempts,
  pausedAttempts: r.paused_attempts,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  deliveryStatus: r.delivery_status,
  dueAt: r.due_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toRow = (r: SendRowRaw): SendRow => ({ ...toLedgerRow(r), envelope: r.envelope });
