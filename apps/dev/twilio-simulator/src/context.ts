import type { AccountCredentials } from './credentials.js';
import type { FaultBook } from './faults.js';
import type { MessageStore } from './message-store.js';
import type { MessagingServices } from './messaging-services.js';
import type { OptOutBook } from './opt-outs.js';
import type { DeliverySimulator } from './status-callbacks.js';
import type { WebhookClient } from './webhook-client.js';

/** Everything a request handler of the simulator works with. */
export interface SimulatorContext {
  readonly accountSid: string;
  /** The auth token the API accepts and webhooks are signed with (it can be rotated). */
  readonly credentials: AccountCredentials;
  readonly inboundWebhookUrl: string;
  readonly store: MessageStore;
  readonly faults: FaultBook;
  readonly services: MessagingServices;
  /** Twilio's opt-out list: handsets that replied STOP, by Messaging Service or number. */
  readonly optOuts: OptOutBook;
  readonly delivery: DeliverySimulator;
  readonly webhooks: WebhookClient;
  /** Aborted when the simulator closes, to end waits (injected latency) at once. */
  readonly closing: AbortSignal;
  readonly log: (line: string) => void;
}
