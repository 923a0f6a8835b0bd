import { Inject, Injectable } from '@nestjs/common';
import type { ConsentStateView } from '@sms/contracts';
import { DataSource } from 'typeorm';
import type { ConsentRecordFact, InboundFact, OptStateFact } from '../rules/decide-consent.js';

export interface RecipientKey {
  tenantId: string;
  recipientToken: string;
}

export interface RecipientFacts {
  records: ConsentRecordFact[];
  optStates: OptStateFact[];
  inbound: InboundFact[];
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
}

export interface NewOptEvent {
  id: string;
  tenantId: string;
  recipientToken: string;
  scope: string;
  kind: 'opt_out' | 'opt_in';
  source: string;
  keyword: string | null;
  inboundTwilioSid: string | null;
  at: string;
}

export interface NewInbound {
  twilioSid: string;
  tenantId: string;
  recipientToken: string;
  sender: string;
  intent: string;
  receivedAt: string;
}

export const keyOf = (k: RecipientKey): string => `${k.tenantId}\u0000${k.recipientToken}`;

/** Reads and writes of the consent schema, each one statement for a whole batch. */
@Injectable()
export class ConsentRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Everything the consent rules need about many recipients, in three queries. */
  async factsFor(keys: RecipientKey[]): Promise<Map<string, RecipientFacts>> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const params = [unique.map((k) => k.tenantId), unique.map((k) => k.recipientToken)];
    const [records, optStates, inbound] = await Promise.all([
      this.db.query<{ tenant_id: string; recipient_token: string; id: string; brand: string; campaign: string; basis: 'express' | 'prior_relationship'; wording_version: string | null; captured_at: Date }[]>(
        `SELECT r.tenant_id, r.recipient_token, r.id, r.brand, r.campaign, r.basis, r.wording_version, r.captured_at
           FROM consent.consent_records r
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token)
             ON r.tenant_id = k.tenant_id AND r.recipient_token = k.recipient_token`,
        params,
      ),
      this.db.query<{ tenant_id: string; recipient_token: string; scope: string; kind: string; at: Date }[]>(
        `SELECT DISTINCT ON (e.tenant_id, e.recipient_token, e.scope) e.tenant_id, e.recipient_token, e.scope, e.kind, e.at
           FROM consent.opt_events e
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token)
             ON e.tenant_id = k.tenant_id AND e.recipient_token = k.recipient_token
          ORDER BY e.tenant_id, e.recipient_token, e.scope, e.at DESC`,
        params,
      ),
      this.db.query<{ tenant_id: string; recipient_token: string; sender: string; twilio_sid: string; received_at: Date }[]>(
        `SELECT DISTINCT ON (i.tenant_id, i.recipient_token, i.sender) i.tenant_id, i.recipient_token, i.sender, i.twilio_sid, i.received_at
           FROM consent.inbound_messages i
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token)
             ON i.tenant_id = k.tenant_id AND i.recipient_token = k.recipient_token
          ORDER BY i.tenant_id, i.recipient_token, i.sender, i.received_at DESC`,
        params,
      ),
    ]);
    const out = new Map<string, RecipientFacts>(unique.map((k) => [keyOf(k), { records: [], optStates: [], inbound: [] }]));
    const at = (k: { tenant_id: string; recipient_token: string }) => out.get(`${k.tenant_id}\u0000${k.recipient_token}`)!;
    for (const r of records) {
      at(r).records.push({ id: r.id, brand: r.brand, campaign: r.campaign, basis: r.basis, wordingVersion: r.wording_version, capturedAt: r.captured_at.toISOString() });
    }
    for (const s of optStates) at(s).optStates.push({ scope: s.scope, optedOut: s.kind === 'opt_out', at: s.at.toISOString() });
    for (const i of inbound) at(i).inbound.push({ twilioSid: i.twilio_sid, sender: i.sender, at: i.received_at.toISOString() });
    return out;
  }

  /** Inserts consent records; returns the ids recorded (a repeated capture id keeps the first). */
  async insertRecords(records: NewConsentRecord[]): Promise<Map<string, string>> {
    if (records.length === 0) return new Map();
    await this.db.query(
      `INSERT INTO consent.consent_records
         (id, tenant_id, brand, campaign, recipient, recipient_token, basis, source, captured_at, wording, wording_hash, wording_version, evidence, channel, capture_id, recorded_at)
       SELECT *, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                   $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::text[], $15::text[])
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
      ],
    );
    const withCaptureIds = records.filter((r) => r.captureId !== null);
    const ids = new Map(records.map((r) => [r.id, r.id]));
    if (withCaptureIds.length > 0) {
      const rows: { id: string; tenant_id: string; capture_id: string }[] = await this.db.query(
        `SELECT r.id, r.tenant_id, r.capture_id FROM consent.consent_records r
           JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, capture_id) ON r.tenant_id = k.tenant_id AND r.capture_id = k.capture_id`,
        [withCaptureIds.map((r) => r.tenantId), withCaptureIds.map((r) => r.captureId)],
      );
      for (const r of withCaptureIds) {
        const row = rows.find((x) => x.tenant_id === r.tenantId && x.capture_id === r.captureId);
        if (row) ids.set(r.id, row.id);
      }
    }
    return ids;
  }

  /** Records opt events; one caused by an inbound message already recorded is skipped. Returns those inserted. */
  async insertOptEvents(events: NewOptEvent[]): Promise<NewOptEvent[]> {
    if (events.length === 0) return [];
    const inserted: { id: string }[] = await this.db.query(
      `INSERT INTO consent.opt_events (id, tenant_id, recipient_token, scope, kind, source, keyword, inbound_twilio_sid, at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
       ON CONFLICT (inbound_twilio_sid) WHERE inbound_twilio_sid IS NOT NULL DO NOTHING
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
        events.map((e) => e.at),
      ],
    );
    const ids = new Set(inserted.map((r) => r.id));
    return events.filter((e) => ids.has(e.id));
  }

  async insertInbound(messages: NewInbound[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.query(
      `INSERT INTO consent.inbound_messages (twilio_sid, tenant_id, recipient_token, sender, intent, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       ON CONFLICT (twilio_sid) DO NOTHING`,
      [
        messages.map((m) => m.twilioSid),
        messages.map((m) => m.tenantId),
        messages.map((m) => m.recipientToken),
        messages.map((m) => m.sender),
        messages.map((m) => m.intent),
        messages.map((m) => m.receivedAt),
      ],
    );
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
      { id: string; scope: string; kind: 'opt_out' | 'opt_in'; source: string; keyword: string | null; inbound_twilio_sid: string | null; at: Date }[]
    >(`SELECT id, scope, kind, source, keyword, inbound_twilio_sid, at FROM consent.opt_events WHERE tenant_id = $1 AND recipient_token = $2 ORDER BY at`, [
      tenantId,
      recipientToken,
    ]);
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
        at: e.at.toISOString(),
      })),
    };
  }
}
