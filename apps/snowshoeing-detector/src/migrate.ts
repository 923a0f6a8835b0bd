// `node apps/snowshoeing-detector/dist/migrate.js`: runs the detector's migrations (never at service start).
import { runMigrationsCli } from '@sms/database';
import { SNOWSHOE_SCHEMA, snowshoeDataSource } from './database/data-source.js';

await runMigrationsCli('snowshoeing-detector', SNOWSHOE_SCHEMA, process.env['DATABASE_URL'], snowshoeDataSource);
