import { Inject, Injectable } from '@nestjs/common';
import type { UseCase } from '@sms/contracts';
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

export const keyOf = (k: RecipientKey): string => `${k.tenantId}\u0000${k.recipientToken}`;
const rowKey = (r: { tenant_id: string; recipient_token: string }): string => `${r.tenant_id}\u0000${r.recipient_token}`;

/** How far back the history that rules read goes: the longest cap window (a month). */
const HISTORY_DAYS = 31;

/**
 * What the consent rules know about people, read from every table of the schema that holds a
 * fact (consent records, opt events, inbound messages, recipient activity, message decisions,
 * age verifications): the decisions' input, also read by the consent API and the opt-out flows.
 */
@Injectable()
export class RecipientFactsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Everything the consent rules need about many recipients, in six queries run together. */
  async factsFor(keys: RecipientKey[]): Promise<Map<string, RecipientFacts>> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const out = new Map<string, RecipientFacts>(unique.map((k) => [keyOf(k), { records: [], optStates: [], inbound: [], sentBrands: new Set(), recent: [], dateOfBirth: null }]));
    if (unique.length === 0) return out;
    const params = [unique.map((k) => k.tenantId), unique.map((k) => k.recipientToken)];
    const join = (alias: string) => `JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token) ON ${alias}.tenant_id = k.tenant_id AND ${alias}.recipient_token = k.recipient_token`;
    const [records, optStates, inbound, activity, recent, ages] = await Promise.all([
      this.db.query<
        {
          tenant_id: string;
          recipient_token: string;
          id: string;
          brand: string;
          campaign: string;
          basis: 'express' | 'prior_relationship';
          wording_version: string | null;
          captured_at: Date;
          chosen_frequency: ConsentRecordFact['chosenFrequency'];
        }[]
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
      this.db.query<{ tenant_id: string; recipient_token: string; brand: string }[]>(`SELECT a.tenant_id, a.recipient_token, a.brand FROM consent.recipient_activity a ${join('a')}`, params),
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
}
