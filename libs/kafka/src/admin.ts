import type { TopicDefinition } from '@sms/contracts';
import type { Admin, Kafka } from 'kafkajs';

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/**
 * Creates every topic of the catalogue that does not exist yet, with its partition count
 * and clean-up policy. Existing topics are left alone (partition counts only ever grow, and
 * that is a deliberate operation, not something a start-up script does).
 */
export async function ensureTopics(kafka: Kafka, topics: TopicDefinition[], replicationFactor = 1): Promise<EnsureTopicsResult> {
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: t.cleanupPolicy }, ...(t.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(t.retentionMs) }] : [])],
        })),
      });
    }
    return { created: missing.map((t) => t.name), existing: topics.filter((t) => existing.has(t.name)).map((t) => t.name) };
  });
}

/** Runs `use` with a connected admin client, disconnected afterwards whatever happened. */
export async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
