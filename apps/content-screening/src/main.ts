import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { ContentScreeningModule } from './app.module.js';
import { SCREENING_CONFIG } from './config.js';

await bootstrapService({ name: 'content-screening', spec: SCREENING_CONFIG, tracing, module: (config, logger) => ContentScreeningModule.forRoot(config, logger), consumeKafka: true });
