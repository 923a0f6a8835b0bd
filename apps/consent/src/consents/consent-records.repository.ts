import { Inject, Injectable } from '@nestjs/common';
import { columnsOf } from '@sms/database';
import type { ConsentStateView } from '@sms/contracts';
import { DataSource } from 'typeorm';

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

/** consent.consent_records: consents with their proof, one statement for a whole batch. */
@Injectable()
export class ConsentRecordsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Inserts consent records; returns the ids recorded (a repeated capture id keeps the first). */
  async insertRecords(records: NewConsentRecord[]): Promise<Map<string, string>> {
    if (records.length === 0) return new Map();
    await this.db.query(
      `INSERT INTO consent.consent_records
         (id, tenant_id, brand, campaign, recipient, recipient_token, basis, source, captured_at, wording, wording_hash, wording_version, evidence, channel, capture_id, chosen_frequency, recorded_at)
       SELECT *, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                   $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::jsonb[], $14::text[], $15::text[], $16::jsonb[])
       ON CONFLICT (tenant_id, capture_id) WHERE capture_id IS NOT NULL DO NOTHING`,
      columnsOf(records, [
        'id',
        'tenantId',
        'brand',
        'campaign',
        'recipient',
        'recipientToken',
        'basis',
        'source',
        'capturedAt',
        'wording',
        'wordingHash',
        'wordingVersion',
        (r) => JSON.stringify(r.evidence),
        'channel',
        'captureId',
        (r) => (r.chosenFrequency ? JSON.stringify(r.chosenFrequency) : null),
      ]),
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

  /** The express and prior-relationship records of a person for a brand (to restore after an opt-in). */
  async recordsForBrand(
    tenantId: string,
    recipientToken: string,
    brand: string | null,
  ): Promise<{ id: string; brand: string; campaign: string; basis: 'express' | 'prior_relationship'; recipient: string }[]> {
    return this.db.query(
      `SELECT DISTINCT ON (brand, campaign, basis) id, brand, campaign, basis, recipient FROM consent.consent_records
        WHERE tenant_id = $1 AND recipient_token = $2 AND ($3::text IS NULL OR brand = $3)
        ORDER BY brand, campaign, basis, captured_at DESC`,
      [tenantId, recipientToken, brand],
    );
  }

  /** Consent records of one recipient, for the consent API and proof exports. */
  async ofRecipient(tenantId: string, recipientToken: string, brand: string | undefined): Promise<ConsentStateView['records']> {
    const records = await this.db.query<
      {
        id: string;
        brand: string;
        campaign: string;
        basis: 'express' | 'prior_relationship';
        source: string;
        captured_at: Date;
        wording: string;
        wording_hash: string;
        wording_version: string | null;
        evidence: Record<string, string>;
        channel: string;
        recorded_at: Date;
      }[]
    >(
      `SELECT id, brand, campaign, basis, source, captured_at, wording, wording_hash, wording_version, evidence, channel, recorded_at
         FROM consent.consent_records
        WHERE tenant_id = $1 AND recipient_token = $2 AND ($3::text IS NULL OR brand = $3)
        ORDER BY captured_at`,
      [tenantId, recipientToken, brand ?? null],
    );
    return records.map((r) => ({
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
    }));
  }
}
