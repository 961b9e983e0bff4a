import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

/**
 * Messaging metrics in prom-client's default registry (served by /metrics). Created once per
 * process; several relays or consumers in one process (tests) share them, told apart by labels.
 * The backlog and lag gauges are read at scrape time (scrape-metrics.ts).
 */
function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const messagingMetrics = {
  get outboxPublished(): Counter<'service' | 'topic'> {
    return once(
      'outbox_published_total',
      () => new Counter({ name: 'outbox_published_total', help: 'Outbox events published to Kafka', labelNames: ['service', 'topic'] }),
    );
  },
  get outboxPublishLatency(): Histogram<'service'> {
    return once(
      'outbox_publish_latency_seconds',
      () =>
        new Histogram({
          name: 'outbox_publish_latency_seconds',
          help: 'Time from event occurrence to Kafka acknowledgement',
          labelNames: ['service'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        }),
    );
  },
  get outboxBatchDuration(): Histogram<'service'> {
    return once(
      'outbox_batch_duration_seconds',
      () =>
        new Histogram({
          name: 'outbox_batch_duration_seconds',
          help: 'Duration of one relay batch (select, publish, mark, commit)',
          labelNames: ['service'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        }),
    );
  },
  get outboxRelayActive(): Gauge<'service'> {
    return once(
      'outbox_relay_active',
      () => new Gauge({ name: 'outbox_relay_active', help: '1 when this process holds the relay lock', labelNames: ['service'] }),
    );
  },
  get consumerProcessed(): Counter<'service' | 'topic' | 'outcome'> {
    return once(
      'kafka_consumer_messages_total',
      () =>
        new Counter({
          name: 'kafka_consumer_messages_total',
          help: 'Messages consumed, by outcome (processed, duplicate, dead_lettered)',
          labelNames: ['service', 'topic', 'outcome'],
        }),
    );
  },
  get consumerDeadLettered(): Counter<'service' | 'topic' | 'reason'> {
    return once(
      'kafka_consumer_dead_lettered_total',
      () =>
        new Counter({
          name: 'kafka_consumer_dead_lettered_total',
          help: 'Messages sent to the dead-letter topic, by reason (malformed, non_retryable, exhausted)',
          labelNames: ['service', 'topic', 'reason'],
        }),
    );
  },
  get consumerRetries(): Counter<'service' | 'topic'> {
    return once(
      'kafka_consumer_retries_total',
      () => new Counter({ name: 'kafka_consumer_retries_total', help: 'Handler attempts that failed and were retried', labelNames: ['service', 'topic'] }),
    );
  },
  get handleDuration(): Histogram<'service' | 'topic'> {
    return once(
      'kafka_consumer_handle_duration_seconds',
      () =>
        new Histogram({
          name: 'kafka_consumer_handle_duration_seconds',
          help: 'Time to process one message (inbox, handler, commit), per transaction',
          labelNames: ['service', 'topic'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
        }),
    );
  },
};
