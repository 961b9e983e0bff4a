/** How a process reaches Kafka. `topicPrefix` is prepended to every topic and consumer group (tests isolate runs with it). */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** Partitions of the topics this process creates when they are missing (default 3). */
  numPartitions?: number;
  /** Replication factor of the topics this process creates (default 1: one local broker). */
  replicationFactor?: number;
}

/**
 * Reads `KAFKA_BROKERS` (comma-separated), `KAFKA_TOPIC_PREFIX`, and optionally
 * `KAFKA_CLIENT_ID`, `KAFKA_TOPIC_PARTITIONS`, `KAFKA_REPLICATION_FACTOR`.
 */
export function kafkaConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required (comma-separated host:port)');
  const config: KafkaConfig = {
    brokers,
    clientId: env.KAFKA_CLIENT_ID || service,
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
  };
  const partitions = positiveInt(env.KAFKA_TOPIC_PARTITIONS, 'KAFKA_TOPIC_PARTITIONS');
  const replication = positiveInt(env.KAFKA_REPLICATION_FACTOR, 'KAFKA_REPLICATION_FACTOR');
  if (partitions !== undefined) config.numPartitions = partitions;
  if (replication !== undefined) config.replicationFactor = replication;
  return config;
}

function positiveInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** The physical topic of a logical one. */
export function prefixedTopic(config: Pick<KafkaConfig, 'topicPrefix'>, topic: string): string {
  return `${config.topicPrefix}${topic}`;
}

/** `<prefix>dlq.<service>` (EVENTS.md). */
export function deadLetterTopic(config: Pick<KafkaConfig, 'topicPrefix'>, service: string): string {
  return `${config.topicPrefix}dlq.${service}`;
}

/** `<prefix><service>`: one consumer group per service. */
export function consumerGroupId(config: Pick<KafkaConfig, 'topicPrefix'>, service: string): string {
  return `${config.topicPrefix}${service}`;
}
