import type { z } from 'zod';
import { ConsentCaptureEventSchema, RelationshipEventMessageSchema } from './events/consent-capture.event.js';
import { AnalystEventSchema } from './events/analyst.event.js';
import { ConsentChangeEventSchema } from './events/consent-change.event.js';
import { EnforcementEventSchema } from './events/enforcement.event.js';
import { AlertEventSchema } from './events/alert.event.js';
import { ConsentStateEventSchema } from './events/consent-state.event.js';
import { DeadLetterEventSchema } from './events/dead-letter.event.js';
import { MessageEnvelopeSchema } from './events/envelope.event.js';
import { InboundMessageEventSchema } from './events/inbound-message.event.js';
import { SendRequestEventSchema } from './events/send-request.event.js';
import { StatusEventSchema } from './events/status.event.js';
import { CancelRequestEventSchema } from './events/cancel-request.event.js';
import { SendResultEventSchema } from './events/send-result.event.js';
import { TenantConfigEventSchema } from './events/tenant-config.event.js';
import { ClusteredMessageEventSchema } from './events/snowshoe.event.js';

export interface TopicDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  partitions: number;
  /** "compact" keeps the latest value per key (state topics); "delete" keeps a time window. */
  cleanupPolicy: 'delete' | 'compact';
  retentionMs?: number;
  /** What the record key is, which decides ordering. */
  key: string;
  producers: string[];
  consumers: string[];
  schema: S;
  description: string;
}

function topic<S extends z.ZodType>(definition: TopicDefinition<S>): TopicDefinition<S> {
  return definition;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The topic catalogue: every topic of the pipeline, its partitions, key, producers,
 * consumers and the schema its values follow. Scripts create topics from this list and
 * consumers validate what they read against it. Names carry a version: a breaking change
 * to a value is a new topic.
 */
export const TOPICS = {
  sendRequests: topic({
    name: 'sms.send-requests.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'tenant and recipient (any stable string; used only for ordering)',
    producers: ['upstream products'],
    consumers: ['intake'],
    schema: SendRequestEventSchema,
    description:
      'Send requests from upstream products, the Kafka twin of POST /v1/messages. The message id is derived from the tenant and the idempotency key (messageIdFor in libs/contracts: UUID v5 of "<tenantId>\\n<idempotencyKey>" in namespace 8b6f3c1e-5a2d-4e7f-9c0b-3d1e2f4a5b6c), so the producer knows it.',
  }),
  sendResults: topic({
    name: 'sms.send-results.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'tenant id and idempotency key ("<tenantId>|<idempotencyKey>")',
    producers: ['intake'],
    consumers: ['upstream products'],
    schema: SendResultEventSchema,
    description:
      "Intake's answer to each send request of sms.send-requests.v1, the Kafka twin of the 202 or 4xx: the message id (messageIdFor of tenant and idempotency key), accepted or refused, and why.",
  }),
  accepted: topic({
    name: 'sms.accepted.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: "recipient token (keyed hash of tenant and recipient): one person's messages stay in order",
    producers: ['intake', 'consent (its own replies: opt-out and opt-in confirmations, help)'],
    consumers: ['consent', 'audit'],
    schema: MessageEnvelopeSchema,
    description: 'Validated, normalised messages with a message id.',
  }),
  consented: topic({
    name: 'sms.consented.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'recipient token',
    producers: ['consent', 'audit (a reviewer releasing a message held after consent)'],
    consumers: ['content-screening'],
    schema: MessageEnvelopeSchema,
    description: 'Messages with a consent basis and a consent receipt.',
  }),
  screened: topic({
    name: 'sms.screened.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'recipient token',
    producers: ['content-screening', 'audit (a reviewer releasing a message held by screening)'],
    consumers: ['snowshoeing-detector'],
    schema: MessageEnvelopeSchema,
    description: 'Messages whose content passed screening, possibly transformed.',
  }),
  cleared: topic({
    name: 'sms.cleared.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'sender (number or messaging service): pacing per sender needs no cross-instance coordination',
    producers: ['snowshoeing-detector', 'audit (a reviewer releasing a message held by the snowshoeing detector)'],
    consumers: ['dispatcher', 'audit'],
    schema: MessageEnvelopeSchema,
    description: 'Messages cleared by every rule stage, ready to dispatch; each carries every verdict since its acceptance (audit records them from here).',
  }),
  stopped: topic({
    name: 'sms.stopped.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'recipient token',
    producers: ['consent', 'content-screening', 'snowshoeing-detector', 'dispatcher', 'audit (a reviewer blocking a held message)'],
    consumers: ['audit'],
    schema: MessageEnvelopeSchema,
    description: 'Messages a stage blocked or held; the last verdict says which, why and under which clause, and the verdicts before it are every earlier decision (audit records them from here).',
  }),
  snowshoeClustered: topic({
    name: 'snowshoe.clustered.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 2 * DAY,
    key: "sending identity (a hash of tenant and campaign): one instance keeps all of a campaign's windows, per content cluster and for the whole campaign",
    producers: ['snowshoeing-detector'],
    consumers: ['snowshoeing-detector'],
    schema: ClusteredMessageEventSchema,
    description: 'Internal to the snowshoeing detector: screened messages with their content cluster and actor markers, re-keyed by tenant and campaign.',
  }),
  status: topic({
    name: 'sms.status.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'message id',
    producers: ['dispatcher', 'intake'],
    consumers: ['audit', 'dispatcher', 'consent (messages that reached Twilio, error 21610)'],
    schema: StatusEventSchema,
    description: 'Delivery states: scheduled (deferred), sending, failed and cancelled from the dispatcher (and its answers to cancel requests), sent/delivered/undelivered/failed from Twilio.',
  }),
  cancelRequests: topic({
    name: 'sms.cancel-requests.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'message id',
    producers: ['upstream products', 'audit (DELETE /v1/messages/{id})'],
    consumers: ['dispatcher'],
    schema: CancelRequestEventSchema,
    description:
      "Requests to cancel a message not yet handed to Twilio, whatever stage it is in: the Kafka twin of DELETE /v1/messages/{id}. The dispatcher's ledger decides and publishes the outcome on sms.status.v1 (status cancelled, or the status that made it too late, with the request id).",
  }),
  inbound: topic({
    name: 'sms.inbound.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'recipient token of the person who wrote',
    producers: ['intake'],
    consumers: ['consent'],
    schema: InboundMessageEventSchema,
    description: 'Texts people sent to a tenant number (STOP, START, HELP, replies).',
  }),
  consentCaptures: topic({
    name: 'consent.captures.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'tenant and recipient',
    producers: ['upstream sign-up flows'],
    consumers: ['consent'],
    schema: ConsentCaptureEventSchema,
    description: 'Consents captured by upstream sign-up flows, the Kafka twin of POST /v1/consents.',
  }),
  relationships: topic({
    name: 'consent.relationships.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'tenant and recipient',
    producers: ['upstream products (booking, ordering)'],
    consumers: ['consent'],
    schema: RelationshipEventMessageSchema,
    description: 'Actions that create a prior relationship (an appointment booked, an order placed): the Kafka twin of POST /v1/relationships.',
  }),
  consentChanges: topic({
    name: 'consent.changes.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'tenant and recipient token',
    producers: ['consent'],
    consumers: ['audit'],
    schema: ConsentChangeEventSchema,
    description: 'Every change of consent with its proof (consent recorded, opt-out with its inbound message and confirmation, opt-in, pause, age verified), for the audit history.',
  }),
  consentState: topic({
    name: 'consent.state.v1',
    partitions: 6,
    cleanupPolicy: 'compact',
    key: 'tenant|scope|recipient token',
    producers: ['consent'],
    consumers: ['dispatcher'],
    schema: ConsentStateEventSchema,
    description: 'Latest opt-out state per recipient and scope (opted out, or marketing paused pending an opt-out review), for last-moment checks.',
  }),
  tenantConfig: topic({
    name: 'tenant.config.v1',
    partitions: 1,
    cleanupPolicy: 'compact',
    key: 'tenant id',
    producers: ['intake'],
    consumers: ['intake', 'consent', 'content-screening', 'snowshoeing-detector', 'dispatcher', 'audit'],
    schema: TenantConfigEventSchema,
    description: 'Tenants, their brands, campaigns, sender pools and API key hashes.',
  }),
  alerts: topic({
    name: 'sms.alerts.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'tenant id',
    producers: ['dispatcher'],
    consumers: ['operators'],
    schema: AlertEventSchema,
    description:
      'What operators must see as it happens: carrier content filtering (30007), a brand at its T-Mobile daily cap, sending paused for a sender (30022, 30032, 30034, 21611), the whole Twilio account (63038) or a dispatcher instance whose credentials Twilio refuses (20003), told to each tenant whose messages wait.',
  }),
  enforcement: topic({
    name: 'tenant.enforcement.v1',
    partitions: 1,
    cleanupPolicy: 'compact',
    key: 'tenant|campaign (campaign "*" for the whole tenant)',
    producers: ['audit'],
    consumers: ['intake'],
    schema: EnforcementEventSchema,
    description: 'Suspensions of tenants and campaigns and their lifting; intake refuses what is suspended.',
  }),
  analyst: topic({
    name: 'audit.analyst.v1',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 90 * DAY,
    key: 'tenant',
    producers: ['audit'],
    consumers: ['analysts'],
    schema: AnalystEventSchema,
    description: 'Pseudonymised decisions, statuses and consent changes for analysts: no bodies, no numbers, no proof.',
  }),
  deadLetter: topic({
    name: 'sms.dead-letter.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'source topic',
    producers: ['every consumer'],
    consumers: ['operators'],
    schema: DeadLetterEventSchema,
    description: 'Records a consumer could not accept, with the error and the original bytes.',
  }),
} as const;

export type TopicKey = keyof typeof TOPICS;
export type Topics = typeof TOPICS;
export type TopicValue<K extends TopicKey> = z.infer<Topics[K]['schema']>;

export const TOPIC_LIST: TopicDefinition[] = Object.values(TOPICS);

export function topicByName(name: string): TopicDefinition | undefined {
  return TOPIC_LIST.find((t) => t.name === name);
}
