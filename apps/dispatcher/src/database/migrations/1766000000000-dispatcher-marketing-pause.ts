import { sqlMigration } from '@sms/database';

/**
 * The consent-state view learns of pauses: marketing to a person whose unclear reply awaits an
 * opt-out review is held at the last moment (MP.OPTOUT.HONOR), not sent.
 */
export const DispatcherMarketingPause1766000000000 = sqlMigration('DispatcherMarketingPause1766000000000', {
  up: [`ALTER TABLE "dispatcher"."consent_state" ADD "marketing_paused" boolean NOT NULL DEFAULT false`],
  down: [`ALTER TABLE "dispatcher"."consent_state" DROP COLUMN "marketing_paused"`],
});
