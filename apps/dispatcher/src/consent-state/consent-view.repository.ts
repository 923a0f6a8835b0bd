import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { ConsentStateEvent } from '@sms/contracts';
import { DataSource } from 'typeorm';

/** What the dispatcher's view of `consent.state.v1` says about one recipient: the scopes opted out, and those where marketing is paused. */
export interface RecipientConsentState {
  optedOut: { scope: string; changedAt: Date }[];
  paused: { scope: string; changedAt: Date }[];
}

/** The dispatcher's view of `consent.state.v1` (dispatcher.consent_state): written by its consumer, read by the last-moment checks. */
@Injectable()
export class ConsentViewRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The scopes at which these recipients opted out, or at which their marketing is paused, as of when. */
  async consentStates(keys: { tenantId: string; recipientToken: string }[]): Promise<Map<string, RecipientConsentState>> {
    const out = new Map<string, RecipientConsentState>();
    if (keys.length === 0) return out;
    const rows: { tenant_id: string; recipient_token: string; scope: string; opted_out: boolean; changed_at: Date }[] = await this.db.query(
      `SELECT DISTINCT s.tenant_id, s.recipient_token, s.scope, s.opted_out, s.changed_at FROM dispatcher.consent_state s
         JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, recipient_token)
           ON s.tenant_id = k.tenant_id AND s.recipient_token = k.recipient_token
        WHERE s.opted_out OR s.marketing_paused`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.recipientToken)],
    );
    for (const r of rows) {
      const key = `${r.tenant_id}\u0000${r.recipient_token}`;
      const state = out.get(key) ?? { optedOut: [], paused: [] };
      (r.opted_out ? state.optedOut : state.paused).push({ scope: r.scope, changedAt: r.changed_at });
      out.set(key, state);
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
      `INSERT INTO dispatcher.consent_state (tenant_id, recipient_token, scope, opted_out, marketing_paused, changed_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::timestamptz[])
       ON CONFLICT (tenant_id, recipient_token, scope) DO UPDATE
         SET opted_out = EXCLUDED.opted_out, marketing_paused = EXCLUDED.marketing_paused, changed_at = EXCLUDED.changed_at
         WHERE consent_state.changed_at <= EXCLUDED.changed_at`,
      columnsOf(list, ['tenantId', 'recipientToken', 'scope', 'optedOut', (e) => e.marketingPaused ?? false, 'changedAt']),
    );
  }
}
