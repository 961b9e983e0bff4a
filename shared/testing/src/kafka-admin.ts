import { ensureTopics as ensurePlatformTopics } from '@storytelling/platform';
import { withKafkaAdmin } from '../../../scripts/lib/kafka-topics.mjs';

export { withKafkaAdmin };

/** Creates the topics that do not exist yet (3 partitions, like the broker's auto-created ones) and waits for their leaders. */
export async function ensureTopics(brokers: string[], topics: string[], numPartitions = 3): Promise<void> {
  await withKafkaAdmin(brokers, (admin) => ensurePlatformTopics(admin, { numPartitions, replicationFactor: 1 }, topics));
}
