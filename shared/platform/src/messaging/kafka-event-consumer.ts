import { performance } from 'node:perf_hooks';
import kafkajs, {
  type Admin,
  type Batch,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { runWithContext, type RequestContext } from '../context/request-context.js';
import { getLogger } from '../logging/logger.js';
import { withTransaction } from '../persistence/unit-of-work.js';
import { backoffDelay, retryPolicy, sleep, type RetryPolicy } from './backoff.js';
import { isTraceparent, parseCloudEvent, type CloudEvent } from './cloud-event.js';
import { MalformedMessageError, errorMessage, isNonRetryable } from './errors.js';
import { deferInsertsOf } from './deferred-inserts.js';
import { createKafka, ensureTopics } from './kafka.js';
import { consumerGroupId, deadLetterTopic, prefixedTopic, type KafkaConfig } from './kafka-config.js';
import { messagingMetrics } from './metrics.js';
import { withConsumerSpan } from '../telemetry/message-spans.js';

const { Partitioners } = kafkajs;

/**
 * Reacts to one event inside the consumer's transaction. Whatever it writes through `tx` commits
 * together with the inbox row, so a redelivered event changes nothing. Handlers ignore event
 * types they do not know (return), and throw NonRetryableError when retrying cannot help.
 * Rows nothing reads back in the same transaction are cheapest written with
 * `deferInsert(tx, table, row)`: one multi-row INSERT per consumer transaction.
 */
export interface EventHandler {
  handle(event: CloudEvent, tx: EntityManager): Promise<void>;
}

export interface ConsumerSubscription {
  /** Logical topic (no prefix), e.g. `identity.user.events`. */
  topic: string;
  handler: EventHandler;
}

export type ConsumeOutcome =
  | { kind: 'processed' | 'duplicate'; topic: string; partition: number; offset: string; event: CloudEvent }
  | {
      kind: 'dead_lettered';
      topic: string;
      partition: number;
      offset: string;
      attempts: number;
      error: string;
      event?: CloudEvent;
    };

export interface KafkaEventConsumerOptions {
  service: string;
  kafka: KafkaConfig;
  dataSource: DataSource;
  subscriptions: readonly ConsumerSubscription[];
  /** In-process retries before dead-lettering (default 5 attempts, 100 ms doubling to 2 s). */
  retry?: Partial<RetryPolicy>;
  /**
   * Consecutive messages of a partition handled in one transaction (each with its own inbox row).
   * If any of them fails the transaction rolls back and they are redone one per transaction,
   * with retries. Default 100; 1 means one transaction per message.
   */
  maxMessagesPerTransaction?: number;
  /** Partitions processed in parallel (default 3); each uses one pooled connection at a time. */
  partitionsConsumedConcurrently?: number;
  /** Where a new consumer group starts (default true: from the beginning, so nothing is missed). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /**
   * How often processed offsets are committed (default 1000 ms; also on stop). Kafka's own
   * auto-commit after every batch costs an OffsetCommit round trip per batch and partition,
   * which dominated latency; a redelivery after a crash is absorbed by the inbox.
   */
  commitIntervalMs?: number;
  /** Observes every outcome after it is committed (tests, benchmarks). */
  onOutcome?(outcome: ConsumeOutcome): void;
}

interface Item {
  message: KafkaMessage;
  event?: CloudEvent;
  error?: MalformedMessageError;
}

type DeadLetterReason = 'malformed' | 'non_retryable' | 'exhausted';

interface BatchContext {
  batch: Batch;
  handlers: readonly EventHandler[];
  payload: EachBatchPayload;
}

// The ids and offsets travel as array literals built here ($2, $5: see inboxParams); topic and
// partition are the same for every message of a batch, so they are sent once.
const INSERT_INBOX = `
  INSERT INTO inbox_messages (consumer, event_id, topic, partition, "offset")
  SELECT $1, u.event_id, $3, $4, u.o FROM unnest($2::uuid[], $5::bigint[]) AS u(event_id, o)
  ON CONFLICT (consumer, event_id) DO NOTHING
  RETURNING event_id`;

/**
 * The inbox insert's parameters. node-pg would quote and escape every array element (a regex
 * per element, in the profile of bench:events); these elements need neither: event ids passed
 * parseCloudEvent's UUID check, offsets are the broker's decimal integers.
 */
function inboxParams(consumer: string, batch: Batch, items: readonly Item[]): [string, string, string, number, string] {
  let ids = '';
  let offsets = '';
  for (let i = 0; i < items.length; i++) {
    const sep = i === 0 ? '' : ',';
    ids += sep + items[i]!.event!.id;
    offsets += sep + items[i]!.message.offset;
  }
  return [consumer, `{${ids}}`, batch.topic, batch.partition, `{${offsets}}`];
}

/**
 * The consumer of one service: group `<prefix><service>`, at-least-once delivery made
 * effectively-once by the inbox. Per message: parse the envelope (malformed: straight to the
 * DLQ), then in one transaction insert the inbox row and run the handler; a duplicate skips the
 * handler. Failures are retried with exponential backoff in process, then the original message
 * goes to `<prefix>dlq.<service>` with the error in headers and the partition moves on. If the
 * DLQ publish fails the offset is not committed, so the message comes back.
 */
export class KafkaEventConsumer {
  readonly groupId: string;
  readonly deadLetterTopic: string;
  private readonly log = getLogger('kafka-consumer');
  private readonly policy: RetryPolicy;
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly perTransaction: number;
  private abort = new AbortController();

  private consumer: Consumer | undefined;
  private dlqProducer: Producer | undefined;
  private admin: Admin | undefined;
  private joined = false;
  private crash: string | undefined;
  /** Next offset to commit per topic-partition, processed but not yet committed. */
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private committing: Promise<void> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KafkaEventConsumerOptions) {
    this.groupId = consumerGroupId(options.kafka, options.service);
    this.deadLetterTopic = deadLetterTopic(options.kafka, options.service);
    this.policy = retryPolicy(options.retry);
    this.perTransaction = Math.max(1, options.maxMessagesPerTransaction ?? 100);
    for (const s of options.subscriptions) {
      const topic = prefixedTopic(options.kafka, s.topic);
      this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), s.handler]);
    }
  }

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  /** Creates missing topics, joins the group and starts consuming. */
  async start(): Promise<void> {
    if (this.consumer) return;
    this.abort = new AbortController();
    const kafka = createKafka(this.options.kafka, 'consumer');
    this.admin = kafka.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, this.options.kafka, [...this.topics, this.deadLetterTopic]);

    this.dlqProducer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.dlqProducer.connect();

    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Offsets of partitions we may no longer own must not be committed over their new owner's.
      this.pending.clear();
      this.joined = true;
      this.crash = undefined;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      this.crash = errorMessage(e.payload.error);
      this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
    });
    this.consumer = consumer;
    await consumer.connect();
    if (this.topics.length > 0) {
      await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    }
    this.commitTimer = setInterval(() => void this.commitPending(), this.options.commitIntervalMs ?? 1000);
    this.commitTimer.unref();
    this.log.info({ group: this.groupId, topics: this.topics }, 'consumer started');
  }

  /** Resolves once the consumer joined its group (partitions assigned). */
  async waitUntilJoined(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.joined) {
      if (Date.now() > deadline) throw new Error(`consumer ${this.groupId} did not join within ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  /** Kafka reachable and the consumer not crashed. */
  async checkHealth(): Promise<void> {
    if (this.crash) throw new Error(`consumer crashed: ${this.crash}`);
    if (!this.admin) throw new Error('consumer not started');
    await this.admin.describeCluster();
  }

  /** Stops fetching, lets the message in flight finish, commits resolved offsets, leaves the group. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.commitTimer = undefined;
    const { consumer, dlqProducer, admin } = this;
    // Commit what is done while still a group member; a batch still running commits its own
    // progress when it notices the stop (see eachBatch), before the consumer leaves the group.
    await this.commitPending();
    await consumer?.disconnect();
    this.consumer = undefined;
    this.dlqProducer = undefined;
    this.admin = undefined;
    await Promise.allSettled([dlqProducer?.disconnect(), admin?.disconnect()]);
    this.joined = false;
  }

  /**
   * Commits the processed offsets (one OffsetCommit for all partitions); failures are retried
   * next time. `via` is eachBatch's own commit, which still works while the consumer is stopping
   * (kafkajs' consumer.commitOffsets silently does nothing then).
   */
  private async commitPending(via?: (offsets: Array<{ topic: string; partition: number; offset: string }>) => Promise<void>): Promise<void> {
    if (this.committing) await this.committing;
    const consumer = this.consumer;
    if (!consumer || this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    const commit = via ? via(offsets) : consumer.commitOffsets(offsets);
    this.committing = commit
      .catch((err: unknown) => {
        // Keep them for the next attempt unless newer progress was recorded meanwhile.
        for (const o of offsets) {
          const key = `${o.topic}|${o.partition}`;
          if (!this.pending.has(key)) this.pending.set(key, o);
        }
        this.log.warn({ err }, 'offset commit failed; will retry');
      })
      .finally(() => {
        this.committing = undefined;
      });
    return this.committing;
  }

  /** Marks a message done: kafkajs moves past it, and its offset is committed with the next commit. */
  private done(payload: EachBatchPayload, offset: string): void {
    payload.resolveOffset(offset);
    const { topic, partition } = payload.batch;
    this.pending.set(`${topic}|${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const handlers = this.handlers.get(batch.topic) ?? [];
    const items: Item[] = batch.messages.map((message) => {
      try {
        return { message, event: parseCloudEvent(message.value) };
      } catch (err) {
        return { message, error: err instanceof MalformedMessageError ? err : new MalformedMessageError(errorMessage(err)) };
      }
    });
    const ctx: BatchContext = { batch, handlers, payload };

    let i = 0;
    while (i < items.length) {
      if (!isRunning() || isStale()) break;
      const first = items[i]!;
      if (first.error) {
        await this.deadLetter(batch, first.message, first.error, 1, 'malformed');
        this.done(payload, first.message.offset);
        i++;
        continue;
      }
      const group: Item[] = [];
      while (i < items.length && group.length < this.perTransaction && !items[i]!.error) group.push(items[i++]!);
      // Stopping mid-group leaves the rest unresolved: it will be redelivered.
      if (!(await this.processGroup(ctx, group))) break;
      await heartbeat();
    }
    // Stopping: commit now, while this member still owns the partition.
    if (!isRunning()) await this.commitPending(async (offsets) => payload.commitOffsetsIfNecessary({ topics: byTopic(offsets) }));
  }

  /**
   * Processes consecutive well-formed messages, as many per transaction as possible. When one
   * fails, the transaction rolls back; the messages before it are redone together, the failing
   * one is retried alone (its first attempt counted), and the rest continue. Returns false when
   * the consumer is stopping and part of the group was left unresolved.
   */
  private async processGroup(ctx: BatchContext, group: readonly Item[]): Promise<boolean> {
    let start = 0;
    while (start < group.length) {
      const rest = group.slice(start);
      const failure = await this.attempt(ctx.batch, rest, ctx.handlers);
      if (!failure) {
        this.done(ctx.payload, rest[rest.length - 1]!.message.offset);
        return true;
      }
      if (failure.index === undefined) {
        // The flush of the deferred rows (or the commit) failed: no message to blame yet. Halve
        // until the failing message is alone (a single message's failure has index 0).
        const half = Math.ceil(rest.length / 2);
        return (await this.processGroup(ctx, rest.slice(0, half))) && this.processGroup(ctx, rest.slice(half));
      }
      if (failure.index > 0 && !(await this.processGroup(ctx, rest.slice(0, failure.index)))) return false;
      const failing = rest[failure.index]!;
      if (!(await this.retry(ctx, failing, failure.error))) return false;
      this.done(ctx.payload, failing.message.offset);
      await ctx.payload.heartbeat();
      start += failure.index + 1;
    }
    return true;
  }

  /**
   * Retries a message whose first attempt failed with `firstError`, with backoff, then
   * dead-letters it. Returns false when the consumer is stopping (message left unresolved).
   */
  private async retry(ctx: BatchContext, item: Item, firstError: unknown): Promise<boolean> {
    let error = firstError;
    for (let attempts = 1; ; attempts++) {
      const nonRetryable = isNonRetryable(error);
      if (nonRetryable || attempts >= this.policy.attempts) {
        await this.deadLetter(ctx.batch, item.message, error, attempts, nonRetryable ? 'non_retryable' : 'exhausted', item.event);
        return true;
      }
      messagingMetrics.consumerRetries.inc({ service: this.options.service, topic: ctx.batch.topic });
      const delay = backoffDelay(this.policy, attempts);
      this.log.warn(
        { err: error, topic: ctx.batch.topic, partition: ctx.batch.partition, offset: item.message.offset, attempt: attempts, delayMs: delay },
        'handler failed; retrying',
      );
      await sleep(delay, this.abort.signal);
      if (!ctx.payload.isRunning() || this.abort.signal.aborted) return false;
      await ctx.payload.heartbeat();
      const failure = await this.attempt(ctx.batch, [item], ctx.handlers);
      if (!failure) return true;
      error = failure.error;
    }
  }

  /**
   * One transaction over `items`: inbox rows first (duplicates skip their handler), then the
   * handlers in order, then the rows they deferred. Resolves undefined on commit, or says which
   * item failed (the inbox insert failing counts as the first item failing); `index` is
   * undefined when the flush or the commit failed with several items in the transaction.
   */
  private async attempt(batch: Batch, items: readonly Item[], handlers: readonly EventHandler[]): Promise<{ index: number | undefined; error: unknown } | undefined> {
    const started = performance.now();
    let current = 0;
    let flushing = false;
    let kinds: Array<'processed' | 'duplicate'>;
    try {
      kinds = await this.options.dataSource.transaction(async (tx) => {
        const inserted: Array<{ event_id: string }> = await tx.query(INSERT_INBOX, inboxParams(this.groupId, batch, items));
        const fresh = new Set<string>();
        for (const row of inserted) fresh.add(row.event_id);
        const deferred = deferInsertsOf(tx);
        const result: Array<'processed' | 'duplicate'> = [];
        // The inbox transaction is ambient (entered once for all its messages): the use cases a
        // handler calls join it.
        await withTransaction(tx, async () => {
          for (current = 0; current < items.length; current++) {
            const item = items[current]!;
            const event = item.event!;
            if (!fresh.delete(event.id)) {
              result.push('duplicate');
              continue;
            }
            const message = { id: event.id, type: event.type, traceparent: headerTraceparent(item.message) ?? event.traceparent };
            await withConsumerSpan(message, batch.topic, this.groupId, (traceparent) =>
              runWithContext(contextOf(event, batch.topic, traceparent), async () => {
                for (const handler of handlers) await handler.handle(event, tx);
              }),
            );
            result.push('processed');
          }
        });
        flushing = true;
        await deferred.flush(tx);
        return result;
      });
    } catch (error) {
      if (flushing && items.length > 1) return { index: undefined, error };
      return { index: Math.min(current, items.length - 1), error };
    }
    const { service } = this.options;
    messagingMetrics.handleDuration.observe({ service, topic: batch.topic }, (performance.now() - started) / 1000);
    const processed = kinds.filter((k) => k === 'processed').length;
    if (processed) messagingMetrics.consumerProcessed.inc({ service, topic: batch.topic, outcome: 'processed' }, processed);
    if (processed < kinds.length) messagingMetrics.consumerProcessed.inc({ service, topic: batch.topic, outcome: 'duplicate' }, kinds.length - processed);
    const observe = this.options.onOutcome;
    if (observe) {
      kinds.forEach((kind, idx) => {
        const item = items[idx]!;
        observe({ kind, topic: batch.topic, partition: batch.partition, offset: item.message.offset, event: item.event! });
      });
    }
    return undefined;
  }

  /** Publishes the original message, unchanged, to the DLQ; throws (offset stays uncommitted) if that fails. */
  private async deadLetter(
    batch: Batch,
    message: KafkaMessage,
    err: unknown,
    attempts: number,
    reason: DeadLetterReason,
    event?: CloudEvent,
  ): Promise<void> {
    const error = errorMessage(err).slice(0, 2000);
    const headers: IHeaders = {
      ...message.headers,
      'x-error': error,
      'x-error-at': new Date().toISOString(),
      'x-attempts': String(attempts),
      'x-original-topic': batch.topic,
      'x-original-partition': String(batch.partition),
      'x-original-offset': message.offset,
    };
    try {
      await this.dlqProducer!.send({
        topic: this.deadLetterTopic,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers, timestamp: message.timestamp }],
      });
    } catch (sendErr) {
      this.log.error(
        { err: sendErr, topic: batch.topic, partition: batch.partition, offset: message.offset },
        'dead-letter publish failed; the message will be redelivered',
      );
      throw sendErr;
    }
    const { service } = this.options;
    messagingMetrics.consumerDeadLettered.inc({ service, topic: batch.topic, reason });
    messagingMetrics.consumerProcessed.inc({ service, topic: batch.topic, outcome: 'dead_lettered' });
    this.log.error(
      { topic: batch.topic, partition: batch.partition, offset: message.offset, attempts, reason, error, eventId: event?.id },
      'message dead-lettered',
    );
    this.options.onOutcome?.({
      kind: 'dead_lettered',
      topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      attempts,
      error,
      ...(event ? { event } : {}),
    });
  }
}

function byTopic(offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>): Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

/** The message's `traceparent` header (the relay's publish span), when well-formed. */
function headerTraceparent(message: KafkaMessage): string | undefined {
  const raw = message.headers?.traceparent;
  const value = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  return isTraceparent(value) ? value : undefined;
}

/**
 * The consumed message becomes the cause of whatever the handler does. A command's subject is
 * its sender's saga id, and replies must carry it as their correlation id (EVENTS.md), so for
 * `<context>.commands` topics the correlation is the subject, whatever the envelope says.
 */
function contextOf(event: CloudEvent, topic: string, traceparent: string | undefined): RequestContext {
  return {
    correlationId: topic.endsWith('.commands') ? event.subject : event.correlationid,
    causationId: event.id,
    ...(traceparent ? { traceparent } : {}),
  };
}
