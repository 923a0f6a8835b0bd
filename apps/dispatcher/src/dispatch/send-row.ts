import type { MessageEnvelope } from '@sms/contracts';
import type { SendState } from './send.entity.js';

/** A row of the send ledger (dispatcher.sends), as the repositories that read it return it. */
export interface SendRow {
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
  envelope: MessageEnvelope;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of dispatcher.sends as PostgreSQL returns it. */
export interface SendRowRaw {
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
  envelope: MessageEnvelope;
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const toRow = (r: SendRowRaw): SendRow => ({
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
  envelope: r.envelope,
  dueAt: r.due_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
