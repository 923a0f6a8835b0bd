import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const DISPATCHER_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3004, 'the health endpoint'),
  TWILIO_ACCOUNT_SID: variable(z.string().regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits'), 'Twilio account SID'),
  TWILIO_AUTH_TOKEN: variable(z.string().min(16), 'Twilio auth token', true),
  TWILIO_API_BASE_URL: variable(z.url().optional(), "Where the Twilio SDK's requests go instead of Twilio's own address (the local simulator); unset in production"),
  STATUS_CALLBACK_BASE_URL: variable(z.url(), "intake's public address: Twilio posts status callbacks to <this>/twilio/status"),
  MAX_CONCURRENT_SENDS: variable(
    positiveInt(64),
    'Twilio API calls in flight at once from one dispatcher instance (one Twilio account; Twilio answers 429 past its concurrency limit, and the dispatcher backs off)',
  ),
  SEND_MAX_ATTEMPTS: variable(positiveInt(8), 'Attempts for a send that fails with a retryable error (429, 5xx not taken, network) before it is failed'),
  IN_DOUBT_AFTER_MS: variable(
    positiveInt(60_000),
    'A send claimed but not confirmed for this long, by an instance that stopped renewing its lease, is looked up at Twilio (after a crash), never simply sent again; also the lease each instance keeps on all its claims',
  ),
  DELIVERY_CHECK_AFTER_MS: variable(
    positiveInt(300_000),
    'A send Twilio took without a final status callback for this long is looked up at Twilio (a callback can be lost: intake down, a network fault), and again every as long, for up to 72 hours',
  ),
  DAILY_LIMIT_RECHECK_MS: variable(
    positiveInt(3_600_000),
    "After Twilio's 63038 (the account's daily message limit, a rolling 24 hours), how long all sending pauses before it is tried again; a new 63038 pauses again",
  ),
  RATE_PAUSE_MS: variable(
    positiveInt(60_000),
    "After Twilio's 30022 (carriers' 10DLC rate limit) or 21611 (the sender's queue at Twilio is full), how long the sender pauses; doubled each time it recurs soon after, up to RATE_PAUSE_MAX_MS",
  ),
  RATE_PAUSE_MAX_MS: variable(positiveInt(900_000), 'The longest pause of a sender after repeated 30022 or 21611'),
  AUTH_PROBE_MS: variable(
    positiveInt(30_000),
    "While Twilio refuses this instance's credentials (401, 20003), how often a harmless authenticated request checks whether they work again (sending resumes when it does)",
  ),
  PACING_LOOKAHEAD_MS: variable(positiveInt(2_000), 'How far ahead of its pacing slot a message is claimed from the queue'),
  PUMP_IDLE_MS: variable(positiveInt(100), 'How often an idle instance looks for due messages (new ones from this instance wake it at once)'),
  PUMP_SENDERS_PER_ROUND: variable(positiveInt(200), 'Senders one claim round works on'),
  PUMP_MESSAGES_PER_SENDER: variable(positiveInt(100), 'Due messages of one sender one claim round looks at'),
  MAX_CLAIMED_IN_MEMORY: variable(positiveInt(2_000), 'Claimed messages waiting for their slot or a free API call in one instance; no more are claimed past this'),
  OUTBOX_RELAY_INTERVAL_MS: variable(
    positiveInt(1_000),
    'How often the relay looks for outcome records (statuses, stopped messages, alerts) written to the outbox that no live instance is publishing',
  ),
  OUTBOX_CLAIM_LEASE_MS: variable(
    positiveInt(30_000),
    "How long an instance's claim on the outcome records it publishes outlives its last renewal (renewed every quarter of it): after a crash, the relay publishes them this long after",
  ),
  OUTBOX_RETENTION_MS: variable(positiveInt(7 * 24 * 3_600_000), 'How long published outcome records are kept: a message Kafka redelivers within it gets what was decided for it published again'),
  DISPATCHER_POLICY_CLOCK_START: variable(
    z.iso.datetime({ offset: true }).optional(),
    'Test stacks only: start the clock that quiet hours and daily caps read at this instant (it then runs at real speed), so that tests do not depend on the hour they run at. Unset: the real clock',
  ),
};

export type DispatcherConfig = ConfigValues<typeof DISPATCHER_CONFIG>;
export const DISPATCHER_CONFIG_TOKEN = Symbol('DISPATCHER_CONFIG');
