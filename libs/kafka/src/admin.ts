import type { TopicDefinition } from '@sms/contracts';
import type { Kafka } from 'kafkajs';

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
  const admin = kafka.admin();
  await admin.connect();
  try {
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
  } finally {
    await admin.disconnect();
  }
}
