import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { IntakeModule } from './app.module.js';
import { INTAKE_CONFIG } from './config.js';

await bootstrapService({ name: 'intake', spec: INTAKE_CONFIG, tracing, module: (config, logger) => IntakeModule.forRoot(config, logger), consumeKafka: true, formBodies: true });
