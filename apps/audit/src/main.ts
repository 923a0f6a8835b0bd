import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { AuditModule } from './app.module.js';
import { AUDIT_CONFIG } from './config.js';

await bootstrapService({ name: 'audit', spec: AUDIT_CONFIG, tracing, module: (config, logger) => AuditModule.forRoot(config, logger), consumeKafka: true });
