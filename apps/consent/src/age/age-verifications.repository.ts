import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** consent.age_verifications: verified dates of birth. */
@Injectable()
export class AgeVerificationsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async insertAgeVerification(v: { id: string; tenantId: string; recipientToken: string; dateOfBirth: string; method: string; reference: string | null; verifiedAt: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO consent.age_verifications (id, tenant_id, recipient_token, date_of_birth, method, reference, verified_at, recorded_at)
       VALUES ($1, $2, $3, $4::date, $5, $6, $7, now())`,
      [v.id, v.tenantId, v.recipientToken, v.dateOfBirth, v.method, v.reference, v.verifiedAt],
    );
  }
}
