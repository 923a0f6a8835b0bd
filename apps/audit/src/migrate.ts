// `node apps/audit/dist/migrate.js`: runs audit's migrations (never at service start).
import { runMigrationsCli } from '@sms/database';
import { AUDIT_SCHEMA, auditDataSource } from './database/data-source.js';

await runMigrationsCli('audit', AUDIT_SCHEMA, process.env['DATABASE_URL'], auditDataSource);
