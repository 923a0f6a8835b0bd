import { Inject, Injectable } from '@nestjs/common';
import type { ConsentStateEvent, MessageEnvelope } from '@sms/contracts';
import { DataSource } from 'typeorm';

export interface SendRow {
  messageId: string;
  state: 'sending' | 'accepted' | 'failed';
  twilioSid: string | null;
  attempts: number;
  errorCode: number | null;
  errorMessage: string | null;
  envelope: MessageEnvelope;
  createdAt: Date;
}

export interface SendResult {
  messageId: string;
  state: 'sending' | 'accepted' | 'failed';
  twilioSid: string | null;
  attempts: number;
  errorCode: number | null;
  errorMessage: string | null;
}

interface SendRowRaw {
  message_id: string;
  state: SendRow['state'];
  twilio_sid: string | null;
  attempts: number;
  error_code: number | null;
  error_message: string | null;
  envelope: MessageEnvelope;
  created_at: Date;
}

const toRow = (r: SendRowRaw): SendRow => ({
  messageId: r.message_id,
  state: r.state,
  twilioSid: r.twilio_sid,
  attempts: r.attempts,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  envelope: r.envelope,
  createdAt: r.created_at,
});

/** The dispatcher's schema: the send ledger and its view of consent state. */
@Injectable()
export class DispatchRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Opted-out scopes of many recipients at once. */
  async optedOutScopes(keys: { tenantId: string; recipientToken: string }[]): Promise<Map<string, { scope: string; changedAt: Date }[]>> {
    const out = new Map<string, { scope: string; changedAt: Date }[]>();
    if (keys.length === 0) return out;
    const rows: { tenant_id: string; recipient_token: string; scope: string; changed_at: Date }[] = await this.db.query(
      `SELECT DISTINCT s.tenant_id, s.recipient_token, s.scope, s.changed_at FROM dispatcher.consent_state s
         JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token)
           ON s.tenant_id = k.tenant_id AND s.recipient_token = k.recipient_token
        WHERE s.opted_out`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.recipientToken)],
    );
    for (const r of rows) {
      const key = `${r.tenant_id}\u0000${r.recipient_token}`;
      out.set(key, [...(out.get(key) ?? []), { scope: r.scope, changedAt: r.changed_at }]);
    }
    return out;
  }

  /** Applies consent-state events; an older event never overwrites a newer state. */
  async applyConsentStates(events: ConsentStateEvent[]): Promise<void> {
    const latest = new Map<string, ConsentStateEvent>();
    for (const e of events) {
      const key = `${e.tenantId}\u0000${e.recipientToken}\u0000${e.scope}`;
      const seen = latest.get(key);
      if (!seen || Date.parse(seen.changedAt) <= Date.parse(e.changedAt)) latest.set(key, e);
    }
    const list = [...latest.values()];
    if (list.length === 0) return;
    await this.db.query(
      `INSERT INTO dispatcher.consent_state (tenant_id, recipient_token, scope, opted_out, changed_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::timestamptz[])
       ON CONFLICT (tenant_id, recipient_token, scope) DO UPDATE
         SET opted_out = EXCLUDED.opted_out, changed_at = EXCLUDED.changed_at
         WHERE consent_state.changed_at <= EXCLUDED.changed_at`,
      [list.map((e) => e.tenantId), list.map((e) => e.recipientToken), list.map((e) => e.scope), list.map((e) => e.optedOut), list.map((e) => e.changedAt)],
    );
  }

  /**
   * Records that these messages are about to be sent. Returns the ids this call claimed;
   * a message already in the ledger (a redelivery) is not claimed again.
   */
  async claim(envelopes: MessageEnvelope[]): Promise<Set<string>> {
    if (envelopes.length === 0) return new Set();
    const rows: { message_id: string }[] = await this.db.query(
      `INSERT INTO dispatcher.sends (message_id, tenant_id, state, attempts, envelope, created_at, updated_at)
       SELECT id, tenant_id, 'sending', 1, envelope, now(), now() FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS t(id, tenant_id, envelope)
       ON CONFLICT (message_id) DO NOTHING
       RETURNING message_id`,
      [envelopes.map((e) => e.id), envelopes.map((e) => e.tenantId), envelopes.map((e) => JSON.stringify(e))],
    );
    return new Set(rows.map((r) => r.message_id));
  }

  async find(messageIds: string[]): Promise<SendRow[]> {
    if (messageIds.length === 0) return [];
    const rows: SendRowRaw[] = await this.db.query(`SELECT * FROM dispatcher.sends WHERE message_id = ANY($1::uuid[])`, [messageIds]);
    return rows.map(toRow);
  }

  async complete(results: SendResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.db.query(
      `UPDATE dispatcher.sends s
          SET state = r.state, twilio_sid = r.twilio_sid, attempts = r.attempts, error_code = r.error_code,
              error_message = r.error_message, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::text[])
              AS r(message_id, state, twilio_sid, attempts, error_code, error_message)
        WHERE s.message_id = r.message_id AND s.state = 'sending'`,
      [
        results.map((r) => r.messageId),
        results.map((r) => r.state),
        results.map((r) => r.twilioSid),
        results.map((r) => r.attempts),
        results.map((r) => r.errorCode),
        results.map((r) => r.errorMessage),
      ],
    );
  }

  /** Sends recorded but not confirmed for a while: a crash happened between the two. */
  async inDoubt(olderThanMs: number, limit: number): Promise<SendRow[]> {
    const rows: SendRowRaw[] = await this.db.query(
      `SELECT * FROM dispatcher.sends WHERE state = 'sending'
          AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map(toRow);
  }

  /** Takes over an in-doubt send; false when another instance took it first. */
  async retake(messageId: string, attempts: number): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, affected] = await this.db.query<[unknown[], number]>(
      `UPDATE dispatcher.sends SET updated_at = now(), attempts = attempts + 1
        WHERE message_id = $1 AND state = 'sending' AND attempts = $2`,
      [messageId, attempts],
    );
    return affected > 0;
  }
}
