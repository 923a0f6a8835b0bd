export * from './data-source.js';
export * from './database.module.js';
export * from './migrate-cli.js';
export * from './outbox-lease.js';
export * from './tenant-record.js';
export * from './columns.js';
export * from './sql-migration.js';
