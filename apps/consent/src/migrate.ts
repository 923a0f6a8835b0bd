// `node apps/consent/dist/migrate.js`: runs consent's migrations (never at service start).
import { runMigrationsCli } from '@sms/database';
import { CONSENT_SCHEMA, consentDataSource } from './database/data-source.js';

await runMigrationsCli('consent', CONSENT_SCHEMA, process.env['DATABASE_URL'], consentDataSource);
