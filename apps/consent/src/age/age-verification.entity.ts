import { Column, Entity, Index } from 'typeorm';
import { RecipientRecord } from '@sms/database';

/** A verified date of birth, with how and when it was verified (MP.AGE_GATE). */
@Entity({ name: 'age_verifications' })
@Index('age_verifications_recipient_idx', ['tenantId', 'recipientToken', 'verifiedAt'])
export class AgeVerificationEntity extends RecipientRecord {
  @Column({ name: 'date_of_birth', type: 'date' })
  dateOfBirth!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @Column({ name: 'verified_at', type: 'timestamptz' })
  verifiedAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
