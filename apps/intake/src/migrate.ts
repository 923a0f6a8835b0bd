// `node apps/intake/dist/migrate.js`: runs intake's migrations (never at service start).
import { runMigrationsCli } from '@sms/database';
import { INTAKE_SCHEMA, intakeDataSource } from './database/data-source.js';

await runMigrationsCli('intake', INTAKE_SCHEMA, process.env['DATABASE_URL'], intakeDataSource);
