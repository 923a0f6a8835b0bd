import { tracing } from './instrument.js';
import 'reflect-metadata';
import { bootstrapService } from '@sms/nest-runtime';
import { ConsentModule } from './app.module.js';
import { CONSENT_CONFIG } from './config.js';

await bootstrapService({
  name: 'consent',
  spec: CONSENT_CONFIG,
  tracing,
  module: (config, logger) => ConsentModule.forRoot(config, logger),
  consumeKafka: true,
  // The review console, served by audit, shows and decides opt-out reviews here.
  corsOrigins: (config) => config.CONSOLE_ORIGINS,
});
