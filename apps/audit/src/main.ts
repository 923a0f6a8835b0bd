import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditModule } from './app.module.js';
import { AUDIT_CONFIG } from './config.js';

await bootstrapService({
  name: 'audit',
  spec: AUDIT_CONFIG,
  tracing,
  module: (config, logger) => AuditModule.forRoot(config, logger),
  consumeKafka: true,
  // The review console and dashboard; Chart.js's own browser build draws the charts.
  staticAssets: [
    { directory: fileURLToPath(new URL('./console', import.meta.url)), prefix: '/console' },
    { directory: dirname(fileURLToPath(import.meta.resolve('chart.js'))), prefix: '/console/vendor/chart.js' },
  ],
});
