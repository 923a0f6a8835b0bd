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
    // Sends that already share a message are what the earlier lookup did wrong: one of each
    // pair never went out. Which one cannot be told from here, so a person must look.
    const shared = (await q.query(
      `SELECT twilio_sid AS sid, array_agg(message_id::text ORDER BY message_id) AS sends FROM "dispatcher"."sends"
        WHERE twilio_sid IS NOT NULL GROUP BY twilio_sid HAVING count(*) > 1 LIMIT 20`,
    )) as { sid: string; sends: string[] }[];
    if (shared.length > 0) {
      throw new Error(
        `dispatcher.sends: ${shared.length === 20 ? '20 or more' : shared.length} Twilio message(s) are named by more than one send, so one send of each never went out ` +
          `(${shared.map((s) => `${s.sid}: ${s.sends.join(', ')}`).join('; ')}). Put the sends that were not sent back in the queue (docs/dispatcher.md, "Sends sharing a Twilio message"), then migrate again.`,
      );
    }
    await q.query(`CREATE UNIQUE INDEX "sends_twilio_sid_idx" ON "dispatcher"."sends" ("twilio_sid") WHERE "twilio_sid" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dispatcher"."sends_twilio_sid_idx"`);
  }
}
