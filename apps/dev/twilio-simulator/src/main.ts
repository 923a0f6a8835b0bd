import { ConfigError, describeConfig, loadConfig } from '@sms/config';
import { SIMULATOR_CONFIG } from './config.js';
import { startSimulator } from './server.js';

// A development and test tool, never deployed: see README.md.
let config;
try {
  config = loadConfig(SIMULATOR_CONFIG);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[twilio-simulator] ${error.message}`);
  process.exit(1);
}

const simulator = await startSimulator({
  host: config.SIM_HOST,
  port: config.SIM_PORT,
  accountSid: config.SIM_ACCOUNT_SID,
  authToken: config.SIM_AUTH_TOKEN,
  inboundWebhookUrl: config.SIM_INBOUND_WEBHOOK_URL,
  callbackDelayMs: config.SIM_CALLBACK_DELAY_MS,
  maxMessages: config.SIM_MAX_MESSAGES,
});
console.log(`[twilio-simulator] listening on ${simulator.url} ${JSON.stringify(describeConfig(SIMULATOR_CONFIG, config))}`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`[twilio-simulator] ${signal}: stopping`);
  simulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`[twilio-simulator] stopping failed: ${String(error)}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
