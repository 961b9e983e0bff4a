import kafkajs, { type IHeaders } from 'kafkajs';
import { getLogger } from '../logging/logger.js';
import { createKafka } from './kafka.js';
import { deadLetterTopic, kafkaConfigFromEnv, type KafkaConfig } from './kafka-config.js';

const { Partitioners } = kafkajs;
const log = getLogger('dlq-replay');

export interface ReplayDeadLettersOptions {
  /** Default: from the environment (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX). */
  kafka?: KafkaConfig;
  /** At most this many messages (default: all that were in the DLQ when the replay started). */
  limit?: number;
  /** Give up waiting for messages after this long without one (default 10 s). */
  idleTimeoutMs?: number;
}

export interface ReplayDeadLettersResult {
  replayed: number;
  /** Messages without an x-original-topic header (left in place, committed past). */
  skipped: number;
  byTopic: Record<string, number>;
}

const X_HEADERS = new Set(['x-error', 'x-error-at', 'x-attempts', 'x-original-topic', 'x-original-partition', 'x-original-offset']);

/**
 * Re-publishes the messages of `<prefix>dlq.<service>` to their original topics (key, value and
 * original headers unchanged; the x-* error headers dropped, `x-replayed-from` added). Progress
 * is the committed offset of the group `<prefix><service>.dlq-replay`, so a replay resumes where
 * the last one stopped and never replays a message twice. Only messages present when the replay
 * starts are replayed: one that fails again lands behind that mark and waits for the next run.
 */
export async function replayDeadLetters(service: string, options: ReplayDeadLettersOptions = {}): Promise<ReplayDeadLettersResult> {
  const config = options.kafka ?? kafkaConfigFromEnv(service);
  const dlq = deadLetterTopic(config, service);
  const groupId = `${config.topicPrefix}${service}.dlq-replay`;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const kafka = createKafka(config, 'dlq-replay');
  const result: ReplayDeadLettersResult = { replayed: 0, skipped: 0, byTopic: {} };

  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  let pending: Set<number>;
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(dlq)) return result;
    const high = await admin.fetchTopicOffsets(dlq);
    ends = new Map(high.map((p) => [p.partition, BigInt(p.high)]));
    const committed = await admin.fetchOffsets({ groupId, topics: [dlq] });
    const startOf = new Map<number, bigint>();
    for (const t of committed) for (const p of t.partitions) startOf.set(p.partition, BigInt(p.offset));
    const lows = new Map(high.map((p) => [p.partition, BigInt(p.low)]));
    pending = new Set(
      [...ends].filter(([partition, end]) => {
        const start = startOf.get(partition) ?? -1n;
        const from = start >= 0n ? start : lows.get(partition)!;
        return from < end;
      }).map(([partition]) => partition),
    );
  } finally {
    await admin.disconnect();
  }
  if (pending.size === 0 || limit <= 0) return result;

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [dlq], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let idle: NodeJS.Timeout = setTimeout(resolve, idleTimeoutMs + 20_000); // the first join may take a while
      const touch = (): void => {
        clearTimeout(idle);
        idle = setTimeout(resolve, idleTimeoutMs);
      };
      const finish = (): void => {
        clearTimeout(idle);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            touch();
            const end = ends.get(partition) ?? 0n;
            const offset = BigInt(message.offset);
            if (offset >= end || result.replayed >= limit || !pending.has(partition)) return;
            const original = headerString(message.headers, 'x-original-topic');
            if (original) {
              const headers: IHeaders = { 'x-replayed-from': `${dlq}/${partition}/${message.offset}` };
              for (const [k, v] of Object.entries(message.headers ?? {})) if (!X_HEADERS.has(k) && v !== undefined) headers[k] = v;
              await producer.send({ topic: original, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
              result.replayed++;
              result.byTopic[original] = (result.byTopic[original] ?? 0) + 1;
            } else {
              result.skipped++;
              log.warn({ partition, offset: message.offset }, 'dead letter without x-original-topic; skipped');
            }
            await consumer.commitOffsets([{ topic: dlq, partition, offset: (offset + 1n).toString() }]);
            if (offset + 1n >= end) pending.delete(partition);
            if (pending.size === 0 || result.replayed >= limit) finish();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  log.info({ service, ...result }, 'dead letters replayed');
  return result;
}

function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}
