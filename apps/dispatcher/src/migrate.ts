// `node apps/dispatcher/dist/migrate.js`: runs the dispatcher's migrations (never at service start).
import { runMigrationsCli } from '@sms/database';
import { DISPATCHER_SCHEMA, dispatcherDataSource } from './database/data-source.js';

await runMigrationsCli('dispatcher', DISPATCHER_SCHEMA, process.env['DATABASE_URL'], dispatcherDataSource);
