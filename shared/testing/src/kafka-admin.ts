import { withKafkaAdmin } from '../../../scripts/lib/kafka-topics.mjs';

export { withKafkaAdmin };

/** Creates the topics that do not exist yet (3 partitions, like the broker's auto-created ones). */
export async function ensureTopics(brokers: string[], topics: string[], numPartitions = 3): Promise<void> {
  await withKafkaAdmin(brokers, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })), waitForLeaders: true });
    } catch (error) {
      // Created concurrently by someone else: fine.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
  });
}
