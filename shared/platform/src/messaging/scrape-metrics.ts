import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { scrapeGauge, sharedRead, type GaugeSample } from '../metrics/scrape-gauge.js';

/** The scrape-time messaging gauges: their values live in the outbox table and in Kafka. */
export const messagingGauges = {
  outboxBacklog: () => scrapeGauge('outbox_backlog', 'Outbox rows not yet published', ['service'] as const),
  outboxOldestAge: () =>
    scrapeGauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest outbox row not yet published (0 when none)', ['service'] as const),
  consumerLag: () =>
    scrapeGauge(
      'kafka_consumer_lag',
      "Messages of a partition not yet committed by the service's consumer group (high watermark − committed offset)",
      ['service', 'group', 'topic', 'partition'] as const,
    ),
  deadLetterBacklog: () =>
    scrapeGauge('kafka_dead_letter_backlog', "Messages in the service's dead-letter topic not yet replayed (npm run dlq:replay)", ['service'] as const),
};

/** Registers the outbox gauges for `service` over its database; returns the removal. */
export function watchOutbox(service: string, dataSource: DataSource): () => void {
  const read = sharedRead(async () => {
    // The partial index on unpublished rows keeps this cheap while the backlog is small.
    const rows: Array<{ n: string; age: string | null }> = await dataSource.query(
      `SELECT count(*) AS n, extract(epoch FROM clock_timestamp() - min(occurred_at)) AS age FROM domain_events WHERE published_at IS NULL`,
    );
    return { backlog: Number(rows[0]?.n ?? 0), age: Math.max(0, Number(rows[0]?.age ?? 0)) };
  });
  const removals = [
    messagingGauges.outboxBacklog().add(async () => [{ labels: { service }, value: (await read()).backlog }]),
    messagingGauges.outboxOldestAge().add(async () => [{ labels: { service }, value: (await read()).age }]),
  ];
  return () => removals.forEach((remove) => remove());
}

/**
 * Per-partition lag of a consumer group: high watermark − committed offset; a partition the group
 * never committed counts from its low watermark (the group starts from the beginning).
 */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<Array<{ topic: string; partition: number; lag: number }>> {
  if (topics.length === 0) return [];
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [...topics] }),
    Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) }))),
  ]);
  const committedOf = new Map<string, bigint>();
  for (const t of committed) for (const p of t.partitions) committedOf.set(`${t.topic}:${p.partition}`, BigInt(p.offset));
  const lags: Array<{ topic: string; partition: number; lag: number }> = [];
  for (const { topic, partitions } of ends) {
    for (const p of partitions) {
      const start = committedOf.get(`${topic}:${p.partition}`) ?? -1n;
      const from = start >= 0n ? start : BigInt(p.low);
      lags.push({ topic, partition: p.partition, lag: Math.max(0, Number(BigInt(p.high) - from)) });
    }
  }
  return lags;
}

export interface ConsumerWatch {
  service: string;
  /** An admin client the watcher may use (connected lazily by `connect`). */
  admin: () => Promise<Admin>;
  groupId: string;
  topics: readonly string[];
  deadLetterTopic: string;
  /** The group `replayDeadLetters` commits its progress in. */
  replayGroupId: string;
  /** False until the consumer first started (its topics exist): nothing is reported before. */
  ready?: () => boolean;
}

/** Registers the consumer lag and dead-letter gauges; returns the removal. */
export function watchConsumer(watch: ConsumerWatch): () => void {
  const { service } = watch;
  const ready = watch.ready ?? (() => true);
  const lag = async (): Promise<Array<GaugeSample<'service' | 'group' | 'topic' | 'partition'>>> => {
    if (!ready()) return [];
    return (await groupLag(await watch.admin(), watch.groupId, watch.topics)).map((l) => ({
      labels: { service, group: watch.groupId, topic: l.topic, partition: String(l.partition) },
      value: l.lag,
    }));
  };
  const deadLetters = async (): Promise<Array<GaugeSample<'service'>>> => {
    if (!ready()) return [];
    const lags = await groupLag(await watch.admin(), watch.replayGroupId, [watch.deadLetterTopic]);
    return [{ labels: { service }, value: lags.reduce((n, l) => n + l.lag, 0) }];
  };
  const removals = [messagingGauges.consumerLag().add(lag), messagingGauges.deadLetterBacklog().add(deadLetters)];
  return () => removals.forEach((remove) => remove());
}
