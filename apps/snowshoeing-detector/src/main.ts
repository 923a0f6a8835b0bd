import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { SnowshoeingDetectorModule } from './app.module.js';
import { SNOWSHOE_CONFIG } from './config.js';

await bootstrapService({ name: 'snowshoeing-detector', spec: SNOWSHOE_CONFIG, tracing, module: (config, logger) => SnowshoeingDetectorModule.forRoot(config, logger), consumeKafka: true });
