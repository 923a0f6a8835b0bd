import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One Twilio message settles one send. A send left in doubt by a crash is settled by looking
 * its message up at Twilio by recipient, sender and body; two sends of the same text to the
 * same person are common (the same reminder twice), and the lookup must never give one of them
 * the other's message. The index is how the lookup leaves out messages already settled, and
 * the database refuses a second send naming the same message.
 */
export class DispatcherUniqueSid1764500000000 implements MigrationInterface {
  name = 'DispatcherUniqueSid1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX "sends_twilio_sid_idx" ON "dispatcher"."sends" ("twilio_sid") WHERE "twilio_sid" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dispatcher"."sends_twilio_sid_idx"`);
  }
}
