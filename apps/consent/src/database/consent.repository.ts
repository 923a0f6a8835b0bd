import { Inject, Injectable } from '@nestjs/common';
import type { ConsentStateView, OptOutReview, UseCase } from '@sms/contracts';
import { DataSource } from 'typeorm';
import type { ConsentRecordFact, HistoryFact, InboundFact, OptStateFact } from '../rules/decide-consent.js';

export interface RecipientKey {
  tenantId: string;
  recipientToken: string;
}

export interface RecipientFacts {
  records: ConsentRecordFact[];
  optStates: OptStateFact[];
  inbound: InboundFact[];
  /** Brands that have sent to the person before. */
  sentBrands: Set<string>;
  recent: (HistoryFact['recent'][number] & { messageId: string; brand: string })[];
  dateOfBirth: string | null;
}

export interface NewConsentRecord {
  id: string;
  tenantId: string;
  brand: string;
  campaign: string;
  recipient: string;
  recipientToken: string;
  basis: 'express' | 'prior_relationship';
  source: string;
  capturedAt: string;
  wording: string;
  wordingHash: string;
  wordingVersion: string | null;
  evidence: Record<string, string>;
  channel: string;
  captureId: string | null;
  chosenFrequency: { max: number; per: 'day' | 'week' | 'month' } | null;
}

export interface NewOptEvent {
  id: string;
  tenantId: string;
  recipientToken: string;
  scope: string;
  kind: 'opt_out' | 'opt_in' | 'pause';
  source: string;
  keyword: string | null;
  inboundTwilioSid: string | null;
  evidence: string | null;
  confidence: number | null;
  replyMessageId: string | null;
  at: string;
}

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

export interface NewDecision {
  messageId: string;
  tenantId: string;
  recipientToken: string;
  brand: string;
  campaign: string;
  useCase: UseCase;
  sender: string | null;
  optOutLanguage: boolean;
  decidedAt: string;
}

export const keyOf = (k: RecipientKey): string => `${k.tenantId}\u0000${k.recipientToken}`;
const rowKey = (r: { tenant_id: string; recipient_token: string }): string => `${r.tenant_id}\u0000${r.recipient_token}`;

/** How far back the history that rules read goes: the longest cap window (a month). */
const HISTORY_DAYS = 31;

/** Reads and writes of the consent schema, each one statement for a whole batch. */
@Injectable()
export class ConsentRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Everything the consent rules need about many recipients, in six queries run together. */
  async factsFor(keys: RecipientKey[]): Promise<Map<string, RecipientFacts>> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const out = new Map<string, RecipientFacts>(
      unique.map((k) => [keyOf(k), { records: [], optStates: [], inbound: [], sentBrands: new Set(), recent: [], dateOfBirth: null }]),
    );
    if (unique.length === 0) return out;
    const params = [unique.map((k) => k.tenantId), unique.map((k) => k.recipientToken)];
    const join = (alias: string) =>
      `JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token) ON ${alias}.tenant_id = k.tenant_id AND ${alias}.recipient_token = k.recipient_token`;
    const [records, optStates, inbound, activity, recent, ages] = await Promise.all([
      this.db.query<
        { tenant_id: string; recipient_token: string; id: string; brand: string; campaign: string; basis: 'express' | 'prior_relationship'; wording_version: string | null; captured_at: Date; chosen_frequency: ConsentRecordFact['chosenFrequency'] }[]
      >(`SELECT r.tenant_id, r.recipient_token, r.id, r.brand, r.campaign, r.basis, r.wording_version, r.captured_at, r.chosen_frequency FROM consent.consent_records r ${join('r')}`, params),
      this.db.query<{ tenant_id: string; recipient_token: string; scope: string; kind: 'opt_out' | 'opt_in' | 'pause'; at: Date; reply_message_id: string | null }[]>(
        `SELECT DISTINCT ON (e.tenant_id, e.recipient_token, e.scope) e.tenant_id, e.recipient_token, e.scope, e.kind, e.at, e.reply_message_id
           FROM consent.opt_events e ${join('e')}
          ORDER BY e.tenant_id, e.recipient_token, e.scope, e.at DESC, e.kind DESC`,
        params,
      ),
      this.db.query<{ tenant_id: string; recipient_token: string; sender: string; twilio_sid: string; received_at: Date; reply_message_id: string | null }[]>(
        `(SELECT DISTINCT ON (i.tenant_id, i.recipient_token, i.sender) i.tenant_id, i.recipient_token, i.sender, i.twilio_sid, i.received_at, i.reply_message_id
            FROM consent.inbound_messages i ${join('i')}
           ORDER BY i.tenant_id, i.recipient_token, i.sender, i.received_at DESC)
         UNION
         (SELECT i.tenant_id, i.recipient_token, i.sender, i.twilio_sid, i.received_at, i.reply_message_id
            FROM consent.inbound_messages i ${join('i')}
           WHERE i.reply_message_id IS NOT NULL AND i.received_at > now() - interval '7 days')`,
        params,
      ),
      this.db.query<{ tenant_id: string; recipient_token: string; brand: string }[]>(
        `SELECT a.tenant_id, a.recipient_token, a.brand FROM consent.recipient_activity a ${join('a')}`,
        params,
      ),
      this.db.query<{ tenant_id: string; recipient_token: string; message_id: string; brand: string; campaign: string; use_case: UseCase; decided_at: Date; opt_out_language: boolean }[]>(
        `SELECT d.tenant_id, d.recipient_token, d.message_id, d.brand, d.campaign, d.use_case, d.decided_at, d.opt_out_language
           FROM consent.message_decisions d ${join('d')}
          WHERE d.decided_at > now() - make_interval(days => ${HISTORY_DAYS})
          ORDER BY d.decided_at DESC`,
        params,
      ),
      this.db.query<{ tenant_id: string; recipient_token: string; date_of_birth: string }[]>(
        `SELECT DISTINCT ON (v.tenant_id, v.recipient_token) v.tenant_id, v.recipient_token, to_char(v.date_of_birth, 'YYYY-MM-DD') AS date_of_birth
           FROM consent.age_verifications v ${join('v')}
          ORDER BY v.tenant_id, v.recipient_token, v.verified_at DESC`,
        params,
      ),
    ]);
    for (const r of records) {
      out.get(rowKey(r))!.records.push({
        id: r.id,
        brand: r.brand,
        campaign: r.campaign,
        basis: r.basis,
        wordingVersion: r.wording_version,
        capturedAt: r.captured_at.toISOString(),
        chosenFrequency: r.chosen_frequency,
      });
    }
    for (const s of optStates) {
      out.get(rowKey(s))!.optStates.push({
        scope: s.scope,
        state: s.kind === 'opt_out' ? 'opted_out' : s.kind === 'pause' ? 'paused' : 'opted_in',
        at: s.at.toISOString(),
        replyMessageIds: s.reply_message_id ? [s.reply_message_id] : [],
      });
    }
    for (const i of inbound) {
      out.get(rowKey(i))!.inbound.push({ twilioSid: i.twilio_sid, sender: i.sender, at: i.received_at.toISOString(), replyMessageId: i.reply_message_id });
    }
    for (const a of activity) out.get(rowKey(a))!.sentBrands.add(a.brand);
    for (const d of recent) {
      out.get(rowKey(d))!.recent.push({ messageId: d.message_id, brand: d.brand, campaign: d.campaign, useCase: d.use_case, at: d.decided_at.toISOString(), optOutLanguage: d.opt_out_language });
    }
    for (const v of ages) out.get(rowKey(v))!.dateOfBirth = v.date_of_birth;
    return out;
  }

  /** Inserts consent records; returns the ids recorded (a repeated capture id keeps the first). */
  async insertRecords(records: NewConsentRecord[]): Promise<Map<string, string>> {
    if (records.length === 0) return new Map();
    await this.db.query(
      `INSERT INTO consent.consent_records
         (id, tenant_id, brand, campaign, recipient, recipient_token, basis, source, captured_at, wording, wording_hash, wording_version, evidence, channel, capture_id, chosen_frequency, recorded_at)
       SELECT *, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                   $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::text[], $15::text[], $16::jsonb[])
       ON CONFLICT (tenant_id, capture_id) WHERE capture_id IS NOT NULL DO NOTHING`,
      [
        records.map((r) => r.id),
        records.map((r) => r.tenantId),
        records.map((r) => r.brand),
        records.map((r) => r.campaign),
        records.map((r) => r.recipient),
        records.map((r) => r.recipientToken),
        records.map((r) => r.basis),
        records.map((r) => r.source),
        records.map((r) => r.capturedAt),
        records.map((r) => r.wording),
        records.map((r) => r.wordingHash),
        records.map((r) => r.wordingVersion),
        records.map((r) => JSON.stringify(r.evidence)),
        records.map((r) => r.channel),
        records.map((r) => r.captureId),
        records.map((r) => (r.chosenFrequency ? JSON.stringify(r.chosenFrequency) : null)),
      ],
    );
    const withCaptureIds = records.filter((r) => r.captureId !== null);
    const ids = new Map(records.map((r) => [r.id, r.id]));
    if (withCaptureIds.length > 0) {
      const rows = await this.db.query<{ id: string; tenant_id: string; capture_id: string }[]>(
        `SELECT r.id, r.tenant_id, r.capture_id FROM consent.consent_records r
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, capture_id) ON r.tenant_id = k.tenant_id AND r.capture_id = k.capture_id`,
        [withCaptureIds.map((r) => r.tenantId), withCaptureIds.map((r) => r.captureId)],
      );
      const stored = new Map(rows.map((row) => [`${row.tenant_id}\u0000${row.capture_id}`, row.id]));
      for (const r of withCaptureIds) {
        const id = stored.get(`${r.tenantId}\u0000${r.captureId}`);
        if (id) ids.set(r.id, id);
      }
    }
    return ids;
  }

  /** Records opt events; one an inbound message already caused is skipped. Returns those inserted. */
  async insertOptEvents(events: NewOptEvent[]): Promise<NewOptEvent[]> {
    if (events.length === 0) return [];
    const inserted = await this.db.query<{ id: string }[]>(
      `INSERT INTO consent.opt_events (id, tenant_id, recipient_token, scope, kind, source, keyword, inbound_twilio_sid, evidence, confidence, reply_message_id, at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::real[], $11::uuid[], $12::timestamptz[])
       ON CONFLICT (inbound_twilio_sid, kind) WHERE inbound_twilio_sid IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        events.map((e) => e.id),
        events.map((e) => e.tenantId),
        events.map((e) => e.recipientToken),
        events.map((e) => e.scope),
        events.map((e) => e.kind),
        events.map((e) => e.source),
        events.map((e) => e.keyword),
        events.map((e) => e.inboundTwilioSid),
        events.map((e) => e.evidence),
        events.map((e) => e.confidence),
        events.map((e) => e.replyMessageId),
        events.map((e) => e.at),
      ],
    );
    const ids = new Set(inserted.map((r) => r.id));
    return events.filter((e) => ids.has(e.id));
  }

  async insertInbound(messages: NewInbound[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.inbound_messages (twilio_sid, tenant_id, recipient_token, sender, intent, body, classification, reply_message_id, received_at, from_number)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::uuid[], $9::timestamptz[], $10::text[])
       ON CONFLICT (twilio_sid) DO NOTHING`,
      [
        messages.map((m) => m.twilioSid),
        messages.map((m) => m.tenantId),
        messages.map((m) => m.recipientToken),
        messages.map((m) => m.sender),
        messages.map((m) => m.intent),
        messages.map((m) => m.body),
        messages.map((m) => JSON.stringify(m.classification)),
        messages.map((m) => m.replyMessageId),
        messages.map((m) => m.receivedAt),
        messages.map((m) => m.fromNumber),
      ],
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

  async insertReviews(reviews: { id: string; tenantId: string; recipientToken: string; scope: string; inboundTwilioSid: string; evidence: string | null; confidence: number }[]): Promise<void> {
    if (reviews.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.opt_out_reviews (id, tenant_id, recipient_token, scope, inbound_twilio_sid, status, evidence, confidence, created_at)
       SELECT id, tenant_id, recipient_token, scope, sid, 'pending', evidence, confidence, now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::real[])
              AS r(id, tenant_id, recipient_token, scope, sid, evidence, confidence)
       ON CONFLICT (inbound_twilio_sid) DO NOTHING`,
      [
        reviews.map((r) => r.id),
        reviews.map((r) => r.tenantId),
        reviews.map((r) => r.recipientToken),
        reviews.map((r) => r.scope),
        reviews.map((r) => r.inboundTwilioSid),
        reviews.map((r) => r.evidence),
        reviews.map((r) => r.confidence),
      ],
    );
  }

  /** Messages that passed consent; a redelivered one is recorded once. */
  async recordDecisions(decisions: NewDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.message_decisions (message_id, tenant_id, recipient_token, brand, campaign, use_case, sender, opt_out_language, decided_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::timestamptz[])
       ON CONFLICT (message_id) DO NOTHING`,
      [
        decisions.map((d) => d.messageId),
        decisions.map((d) => d.tenantId),
        decisions.map((d) => d.recipientToken),
        decisions.map((d) => d.brand),
        decisions.map((d) => d.campaign),
        decisions.map((d) => d.useCase),
        decisions.map((d) => d.sender),
        decisions.map((d) => d.optOutLanguage),
        decisions.map((d) => d.decidedAt),
      ],
    );
  }

  /**
   * A message reached Twilio: it counts as sent to the person for its brand, from the first
   * status that says so. The later statuses of the same message (Twilio's queued, sent,
   * delivered) change nothing and write nothing.
   */
  async markSent(sent: { messageId: string; at: string }[]): Promise<void> {
    if (sent.length === 0) return;
    await this.db.query(
      `WITH s AS (
         UPDATE consent.message_decisions d SET sent_at = x.at
           FROM (SELECT message_id, min(at) AS at FROM unnest($1::uuid[], $2::timestamptz[]) AS u(message_id, at) GROUP BY message_id) x
          WHERE d.message_id = x.message_id AND (d.sent_at IS NULL OR d.sent_at > x.at)
         RETURNING d.tenant_id, d.recipient_token, d.brand, x.at)
       INSERT INTO consent.recipient_activity (tenant_id, recipient_token, brand, first_sent_at, last_sent_at)
       SELECT tenant_id, recipient_token, brand, min(at), max(at) FROM s GROUP BY tenant_id, recipient_token, brand
        -- In one order: batches of other partitions upsert the same people at once, and rows
        -- locked in different orders deadlock.
        ORDER BY tenant_id, recipient_token, brand
       ON CONFLICT (tenant_id, recipient_token, brand) DO UPDATE
         SET first_sent_at = least(recipient_activity.first_sent_at, EXCLUDED.first_sent_at),
             last_sent_at = greatest(recipient_activity.last_sent_at, EXCLUDED.last_sent_at)`,
      [sent.map((s) => s.messageId), sent.map((s) => s.at)],
    );
  }

  async findDecisions(messageIds: string[]): Promise<{ messageId: string; tenantId: string; recipientToken: string; brand: string; sender: string | null }[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db.query<{ message_id: string; tenant_id: string; recipient_token: string; brand: string; sender: string | null }[]>(
      `SELECT message_id, tenant_id, recipient_token, brand, sender FROM consent.message_decisions WHERE message_id = ANY($1::uuid[])`,
      [messageIds],
    );
    return rows.map((r) => ({ messageId: r.message_id, tenantId: r.tenant_id, recipientToken: r.recipient_token, brand: r.brand, sender: r.sender }));
  }

  /** The express and prior-relationship records of a person for a brand (to restore after an opt-in). */
  async recordsForBrand(tenantId: string, recipientToken: string, brand: string | null): Promise<{ id: string; brand: string; campaign: string; basis: 'express' | 'prior_relationship'; recipient: string }[]> {
    return this.db.query(
      `SELECT DISTINCT ON (brand, campaign, basis) id, brand, campaign, basis, recipient FROM consent.consent_records
        WHERE tenant_id = $1 AND recipient_token = $2 AND ($3::text IS NULL OR brand = $3)
        ORDER BY brand, campaign, basis, captured_at DESC`,
      [tenantId, recipientToken, brand],
    );
  }

  async insertAgeVerification(v: { id: string; tenantId: string; recipientToken: string; dateOfBirth: string; method: string; reference: string | null; verifiedAt: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO consent.age_verifications (id, tenant_id, recipient_token, date_of_birth, method, reference, verified_at, recorded_at)
       VALUES ($1, $2, $3, $4::date, $5, $6, $7, now())`,
      [v.id, v.tenantId, v.recipientToken, v.dateOfBirth, v.method, v.reference, v.verifiedAt],
    );
  }

  /** One tenant's opt-out reviews, or (tenant null: the compliance reviewers' queue) every tenant's; `id` narrows to one. */
  async reviews(tenantId: string | null, status: OptOutReview['status'] | undefined, id?: string): Promise<(OptOutReview & { recipientToken: string; inboundTwilioSid: string })[]> {
    const rows = await this.db.query<
      { id: string; tenant_id: string; status: OptOutReview['status']; scope: string; body: string; evidence: string | null; confidence: number; received_at: Date; decided_by: string | null; decided_at: Date | null; recipient_token: string; inbound_twilio_sid: string }[]
    >(
      `SELECT r.id, r.tenant_id, r.status, r.scope, coalesce(i.body, '') AS body, r.evidence, r.confidence, coalesce(i.received_at, r.created_at) AS received_at,
              r.decided_by, r.decided_at, r.recipient_token, r.inbound_twilio_sid
         FROM consent.opt_out_reviews r LEFT JOIN consent.inbound_messages i ON i.twilio_sid = r.inbound_twilio_sid
        WHERE ($1::text IS NULL OR r.tenant_id = $1) AND ($2::text IS NULL OR r.status = $2) AND ($3::uuid IS NULL OR r.id = $3)
        ORDER BY r.created_at LIMIT 500`,
      [tenantId, status ?? null, id ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      status: r.status,
      scope: r.scope,
      body: r.body,
      evidence: r.evidence,
      confidence: r.confidence,
      receivedAt: r.received_at.toISOString(),
      decidedBy: r.decided_by,
      decidedAt: r.decided_at?.toISOString() ?? null,
      recipientToken: r.recipient_token,
      inboundTwilioSid: r.inbound_twilio_sid,
    }));
  }

  /** Records a reviewer's decision once; false when the review is not pending (or not this tenant's). */
  async decideReview(tenantId: string, id: string, status: 'opted_out' | 'not_opt_out', decidedBy: string, note: string | null): Promise<boolean> {
    const [, affected] = await this.db.query<[unknown[], number]>(
      `UPDATE consent.opt_out_reviews SET status = $3, decided_by = $4, decided_at = now(), note = $5
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
      [tenantId, id, status, decidedBy, note],
    );
    return affected > 0;
  }

  /** Consent records and opt events of one recipient, for the consent API and proof exports. */
  async history(tenantId: string, recipientToken: string, brand: string | undefined): Promise<Pick<ConsentStateView, 'records' | 'optEvents'>> {
    const records = await this.db.query<
      { id: string; brand: string; campaign: string; basis: 'express' | 'prior_relationship'; source: string; captured_at: Date; wording: string;
        wording_hash: string; wording_version: string | null; evidence: Record<string, string>; channel: string; recorded_at: Date }[]
    >(
      `SELECT id, brand, campaign, basis, source, captured_at, wording, wording_hash, wording_version, evidence, channel, recorded_at
         FROM consent.consent_records
        WHERE tenant_id = $1 AND recipient_token = $2 AND ($3::text IS NULL OR brand = $3)
        ORDER BY captured_at`,
      [tenantId, recipientToken, brand ?? null],
    );
    const events = await this.db.query<
      { id: string; scope: string; kind: 'opt_out' | 'opt_in' | 'pause'; source: string; keyword: string | null; inbound_twilio_sid: string | null; evidence: string | null; confidence: number | null; at: Date }[]
    >(
      `SELECT id, scope, kind, source, keyword, inbound_twilio_sid, evidence, confidence, at
         FROM consent.opt_events WHERE tenant_id = $1 AND recipient_token = $2 ORDER BY at, kind DESC`,
      [tenantId, recipientToken],
    );
    return {
      records: records.map((r) => ({
        id: r.id,
        brand: r.brand,
        campaign: r.campaign,
        basis: r.basis,
        source: r.source,
        capturedAt: r.captured_at.toISOString(),
        wording: r.wording,
        wordingHash: r.wording_hash,
        wordingVersion: r.wording_version,
        evidence: r.evidence,
        channel: r.channel,
        recordedAt: r.recorded_at.toISOString(),
      })),
      optEvents: events.map((e) => ({
        id: e.id,
        scope: e.scope,
        kind: e.kind,
        source: e.source,
        keyword: e.keyword,
        inboundTwilioSid: e.inbound_twilio_sid,
        evidence: e.evidence,
        confidence: e.confidence,
        at: e.at.toISOString(),
      })),
    };
  }

  /**
   * MP.CONSENT.RETAIN_PROOF: proof outlives opt-outs; it is removed only when the retention
   * period has passed since it was captured and since anything was last sent to the person.
   * Message history that only the cap rules read is kept for 35 days.
   */
  async purgeExpired(proofRetentionDays: number): Promise<{ records: number; optEvents: number; decisions: number }> {
    const [, decisions] = await this.db.query<[unknown[], number]>(`DELETE FROM consent.message_decisions WHERE decided_at < now() - interval '35 days'`);
    const idle = `NOT EXISTS (SELECT 1 FROM consent.recipient_activity a WHERE a.tenant_id = t.tenant_id AND a.recipient_token = t.recipient_token
                                AND a.last_sent_at > now() - make_interval(days => $1::int))`;
    const [, records] = await this.db.query<[unknown[], number]>(
      `DELETE FROM consent.consent_records t WHERE t.captured_at < now() - make_interval(days => $1::int) AND ${idle}`,
      [proofRetentionDays],
    );
    const [, optEvents] = await this.db.query<[unknown[], number]>(
      `DELETE FROM consent.opt_events t WHERE t.at < now() - make_interval(days => $1::int) AND ${idle}`,
      [proofRetentionDays],
    );
    return { records, optEvents, decisions };
  }
}
