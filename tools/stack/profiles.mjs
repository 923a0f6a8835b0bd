// Where things run, per profile. "local" is what `npm start` runs (the stable interface
// addresses in the README); "test" is what `npm test` runs, on other ports and another
// database so that both can run on one machine at the same time.
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');

export const SERVICES = ['intake', 'consent', 'content-screening', 'snowshoeing-detector', 'dispatcher', 'audit'];

/** Twilio test credentials of the simulator's single account (not secrets: local only). */
const SIM_ACCOUNT_SID = 'AC5ea872f6da5a21de157d80997a64bd33';
const SIM_AUTH_TOKEN = '5d9a1f0c2b7e4a38c6f1e0d9b8a7c6e5';

function profile(name, base) {
  const ports = {
    intake: base,
    consent: base + 1,
    'content-screening': base + 2,
    'snowshoeing-detector': base + 3,
    dispatcher: base + 4,
    audit: base + 5,
    'twilio-simulator': name === 'local' ? 3999 : base + 9,
  };
  // fetch() refuses the Fetch standard's "bad ports" (4045 is one: TEST_SLOT=4's audit); such
  // a service moves to base + 8, which no service uses.
  for (const [service, port] of Object.entries(ports)) if (FETCH_BAD_PORTS.has(port)) ports[service] = base + 8;
  return { name, ports };
}

const FETCH_BAD_PORTS = new Set([3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080]);

export const PROFILES = {
  local: {
    ...profile('local', 3000),
    kafka: { port: 9092, controllerPort: 9093 },
    database: 'sms_gateway',
    dir: join(ROOT, '.local', 'local'),
    redisUrl: 'redis://127.0.0.1:6379/0',
    otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    zipkinPort: 9411,
  },
  test: testProfile(Number(process.env.TEST_SLOT ?? 0)),
};

/**
 * The test profile. TEST_SLOT=n (0-9) moves every port, the database and the folder, so
 * that several test runs (say, two working copies) can share one machine.
 */
function testProfile(slot) {
  if (!Number.isInteger(slot) || slot < 0 || slot > 9) throw new Error(`TEST_SLOT must be 0-9, got ${process.env.TEST_SLOT}`);
  const suffix = slot === 0 ? '' : `_${slot}`;
  return {
    ...profile('test', 4000 + slot * 10),
    kafka: { port: 19092 + slot * 10, controllerPort: 19093 + slot * 10 },
    database: `sms_gateway_test${suffix}`,
    dir: join(ROOT, '.local', `test${suffix}`),
    // Redis database 1 + slot: test runs never see npm start's state (database 0) or each other's.
    redisUrl: `redis://127.0.0.1:6379/${1 + slot}`,
    // The end-to-end tier runs its own OTLP receiver here, beside Zipkin, to check both exports.
    otlpEndpoint: `http://127.0.0.1:${14318 + slot * 10}`,
    zipkinPort: 19411 + slot * 10,
  };
}

export function getProfile(name) {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown profile "${name}" (local or test)`);
  return p;
}

/**
 * The HTTP port of one instance of a service. Instance 0 is the service's own port (one instance,
 * as `npm start` and the end-to-end tier run); instances 1, 2, ... listen 10,000, 20,000, ...
 * above it, behind a balancer on the service's port (tools/stack/balancer.mjs), as the fault tier
 * runs two of each: away from the other slots' ports, from what else this machine serves (4222,
 * a few ports above the test slots, is NATS's) and from the kernel's ephemeral range.
 */
export function instancePort(p, service, instance = 0) {
  return p.ports[service] + 10_000 * instance;
}

/** The environment one service runs with under a profile (`instance`: see instancePort). */
export function serviceEnv(p, service, instance = 0) {
  const url = (s) => `http://127.0.0.1:${p.ports[s]}`;
  const common = {
    KAFKA_BROKERS: `127.0.0.1:${p.kafka.port}`,
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${p.database}`,
    PII_HASH_KEY: `${p.name}-only-pseudonymisation-key`,
    REDIS_URL: p.redisUrl,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(instancePort(p, service, instance)),
    LOG_LEVEL: 'log',
    ...(p.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: p.otlpEndpoint } : {}),
    OTEL_EXPORTER_ZIPKIN_ENDPOINT: `http://127.0.0.1:${p.zipkinPort}/api/v2/spans`,
  };
  switch (service) {
    case 'twilio-simulator':
      return {
        SIM_HOST: '127.0.0.1',
        SIM_PORT: String(p.ports['twilio-simulator']),
        SIM_ACCOUNT_SID,
        SIM_AUTH_TOKEN,
        SIM_INBOUND_WEBHOOK_URL: `${url('intake')}/twilio/inbound`,
      };
    case 'intake':
      return {
        ...common,
        TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN,
        TWILIO_API_BASE_URL: url('twilio-simulator'),
        INTAKE_PUBLIC_URL: url('intake'),
        ADMIN_API_KEY: adminKey(p),
        // The test stack looks for inbound messages whose webhook failed every second, leaving
        // them 3 s to their webhook, so that end-to-end tests of the reconciler settle quickly.
        ...(p.name === 'test' ? { INBOUND_RECONCILE_MS: '1000', INBOUND_RECONCILE_GRACE_MS: '3000' } : {}),
      };
    case 'dispatcher':
      return {
        ...common,
        TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN,
        TWILIO_API_BASE_URL: url('twilio-simulator'),
        STATUS_CALLBACK_BASE_URL: url('intake'),
        // The test stack reads quiet hours on a clock that starts on a Wednesday at noon in New
        // York (the e2e recipients' +1212 area code), so end-to-end tests never depend on the
        // hour they run at. npm start (local) uses the real clock.
        // A lost status callback is looked up at Twilio after 10 s instead of 5 minutes, so the
        // fault tier (which kills intake while callbacks arrive) settles within its run.
        ...(p.name === 'test' ? { DISPATCHER_POLICY_CLOCK_START: '2026-11-25T17:00:00Z', DELIVERY_CHECK_AFTER_MS: '10000' } : {}),
      };
    case 'audit':
      return { ...common, ANALYST_HASH_KEY: `${p.name}-only-analyst-pseudonym-key`, ADMIN_API_KEY: adminKey(p), CONSOLE_CONSENT_URL: url('consent') };
    case 'consent':
      // The review console (audit's /console/) calls consent's opt-out reviews from the browser, by either local name.
      return { ...common, ADMIN_API_KEY: adminKey(p), CONSOLE_ORIGINS: `${url('audit')},http://localhost:${p.ports.audit}` };
    case 'snowshoeing-detector':
      return { ...common, ADMIN_API_KEY: adminKey(p) };
    default:
      return common;
  }
}

/** The operator key of a local or test stack (not a secret: these stacks hold no real data). */
export function adminKey(p) {
  return `${p.name}-operator-key-for-the-tenant-admin-api`;
}

export function serviceUrl(p, service) {
  return `http://127.0.0.1:${p.ports[service]}`;
}

export function serviceEntry(service) {
  return service === 'twilio-simulator' ? join(ROOT, 'apps', 'dev', 'twilio-simulator', 'dist', 'main.js') : join(ROOT, 'apps', service, 'dist', 'main.js');
}
