import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { DispatcherModule } from './app.module.js';
import { DISPATCHER_CONFIG } from './config.js';

await bootstrapService({ name: 'dispatcher', spec: DISPATCHER_CONFIG, tracing, module: (config, logger) => DispatcherModule.forRoot(config, logger), consumeKafka: true });
