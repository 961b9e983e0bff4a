import kafkajs, { type Admin, type Kafka, type LogEntry, type logCreator } from 'kafkajs';
import { getLogger } from '../logging/logger.js';
import type { KafkaConfig } from './kafka-config.js';

const { Kafka: KafkaClient, logLevel: LogLevel } = kafkajs;

const kafkaLog = getLogger('kafkajs');

/** kafkajs logs through the process's pino logger (warn and above unless LOG_LEVEL=debug). */
const pinoLogCreator: logCreator = () => (entry: LogEntry) => {
  const { message, ...extra } = entry.log;
  const fields = { namespace: entry.namespace, ...extra };
  switch (entry.level) {
    case LogLevel.ERROR:
      kafkaLog.error(fields, message);
      break;
    case LogLevel.WARN:
      kafkaLog.warn(fields, message);
      break;
    case LogLevel.INFO:
      kafkaLog.info(fields, message);
      break;
    default:
      kafkaLog.debug(fields, message);
  }
};

export function createKafka(config: KafkaConfig, clientIdSuffix?: string): Kafka {
  return new KafkaClient({
    clientId: clientIdSuffix ? `${config.clientId}-${clientIdSuffix}` : config.clientId,
    brokers: config.brokers,
    logLevel: process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace' ? LogLevel.DEBUG : LogLevel.WARN,
    logCreator: pinoLogCreator,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * Creates the topics that do not exist yet (idempotent; racing creators are fine), then waits
 * until every partition of every wanted topic has a leader, so the first produce or subscribe
 * does not fail. kafkajs' own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, while a KRaft
 * broker may briefly answer UNKNOWN_TOPIC_OR_PARTITION for a topic it has just created.
 */
export async function ensureTopics(admin: Admin, config: Pick<KafkaConfig, 'numPartitions' | 'replicationFactor'>, topics: Iterable<string>, timeoutMs = 15_000): Promise<void> {
  const wanted = [...new Set(topics)];
  if (wanted.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: config.numPartitions ?? 3,
          replicationFactor: config.replicationFactor ?? 1,
        })),
      });
    } catch (err) {
      // Another process may have created some of them between listTopics and createTopics.
      const after = new Set(await admin.listTopics());
      if (!missing.every((t) => after.has(t))) throw err;
    }
  }
  await waitForTopicLeaders(admin, wanted, timeoutMs);
}

/** Polls topic metadata until every partition of `topics` has a leader. */
export async function waitForTopicLeaders(admin: Admin, topics: readonly string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      last = new Error('some partitions have no leader yet');
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
