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
 * Creates the topics that do not exist yet (idempotent; racing creators are fine). Waits for
 * leaders so the first produce or subscribe does not fail.
 */
export async function ensureTopics(admin: Admin, config: KafkaConfig, topics: Iterable<string>): Promise<void> {
  const wanted = [...new Set(topics)];
  if (wanted.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
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
