import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import { DataSource } from 'typeorm';

export interface NewInbound {
  twilioSid: string;
  fromNumber: string;
  tenantId: string;
  recipientToken: string;
  sender: string;
  intent: string;
  body: string;
  classification: Record<string, unknown>;
  replyMessageId: string | null;
  receivedAt: string;
}

/** consent.inbound_messages: the texts people sent, with what they were taken to ask. */
@Injectable()
export class InboundMessagesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async insertInbound(messages: NewInbound[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.inbound_messages (twilio_sid, tenant_id, recipient_token, sender, intent, body, classification, reply_message_id, received_at, from_number)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::uuid[], $9::timestamptz[], $10::text[])
       ON CONFLICT (twilio_sid) DO NOTHING`,
      columnsOf(messages, ['twilioSid', 'tenantId', 'recipientToken', 'sender', 'intent', 'body', (m) => JSON.stringify(m.classification), 'replyMessageId', 'receivedAt', 'fromNumber']),
    );
  }

  /** An inbound message as it arrived (for answering a reviewer's decision). */
  async inboundMessage(tenantId: string, twilioSid: string): Promise<{ twilioSid: string; from: string; to: string; body: string; receivedAt: string } | null> {
    const [row] = await this.db.query<{ twilio_sid: string; from_number: string; sender: string; body: string; received_at: Date }[]>(
      `SELECT twilio_sid, from_number, sender, body, received_at FROM consent.inbound_messages WHERE tenant_id = $1 AND twilio_sid = $2`,
      [tenantId, twilioSid],
    );
    return row ? { twilioSid: row.twilio_sid, from: row.from_number, to: row.sender, body: row.body, receivedAt: row.received_at.toISOString() } : null;
  }
}
