// What the integration and end-to-end tiers (and the benchmarks) stand on: a fresh Kafka
// broker on the profile's ports with every catalogue topic, a fresh database with every
// service's migrations, and a stack file that tells test code where everything is.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createTopics, startBroker, stopBroker } from './kafka.mjs';
import { adminKey, serviceEnv, serviceUrl } from './profiles.mjs';
import { migrateAll, STACK } from './services.mjs';

export async function resetDatabase(profile) {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${profile.database}" WITH (FORCE)`);
  await admin.end();
  await migrateAll(profile, () => undefined);
}

/** Empties the profile's own Redis database (rate-limit counters, snowshoe windows). */
export async function resetRedis(profile) {
  const redis = new Redis(profile.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** Fresh broker (its data wiped), topics, fresh database and Redis. Returns a function that stops the broker. */
export async function prepareInfrastructure(profile) {
  await stopBroker(profile.name, { wipe: true });
  try {
    await startBroker(profile.name);
    await createTopics(profile.name, () => undefined);
    await resetDatabase(profile);
    await resetRedis(profile);
  } catch (error) {
    await stopBroker(profile.name);
    throw error;
  }
  return () => stopBroker(profile.name);
}

export function writeStackFile(profile) {
  const file = join(profile.dir, 'stack.json');
  mkdirSync(profile.dir, { recursive: true });
  const intakeEnv = serviceEnv(profile, 'intake');
  const dispatcherEnv = serviceEnv(profile, 'dispatcher');
  writeFileSync(
    file,
    JSON.stringify(
      {
        kafkaBrokers: [intakeEnv.KAFKA_BROKERS],
        databaseUrl: intakeEnv.DATABASE_URL,
        redisUrl: profile.redisUrl,
        piiHashKey: intakeEnv.PII_HASH_KEY,
        adminApiKey: adminKey(profile),
        twilio: { accountSid: dispatcherEnv.TWILIO_ACCOUNT_SID, authToken: dispatcherEnv.TWILIO_AUTH_TOKEN },
        urls: Object.fromEntries(STACK.map((s) => [s, serviceUrl(profile, s)])),
        otlpReceiverUrl: profile.otlpEndpoint,
        zipkinUrl: `http://127.0.0.1:${profile.zipkinPort}`,
        logDir: join(profile.dir, 'logs'),
      },
      null,
      2,
    ),
  );
  return file;
}
