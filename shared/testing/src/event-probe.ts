import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { ensureTopics } from './kafka-admin.js';
import { testEnvironment } from './test-environment.js';

/** A CloudEvents 1.0 envelope in structured JSON mode, as read off a topic (ARCHITECTURE.md §3). */
export interface CloudEventEnvelope<TData = unknown> {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  data: TData;
  /** Extensions: aggregateversion, correlationid, causationid, traceparent, ... */
  [extension: string]: unknown;
}

/** One message the probe received. */
export interface ProbedEvent<TData = unknown> {
  envelope: CloudEventEnvelope<TData>;
  headers: Record<string, string>;
  key: string | null;
  topic: string;
  partition: number;
  offset: string;
}

export interface EventProbeOptions {
  /** Defaults to the run's brokers. */
  brokers?: string[];
  /** Prepended to the topic; defaults to the run's prefix. Pass '' for a topic name used as is. */
  topicPrefix?: string;
  /** How long start() waits for the consumer to join its group (default 30 s). */
  joinTimeoutMs?: number;
}

function isEnvelope(value: unknown): value is CloudEventEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.specversion === 'string' && typeof v.id === 'string' && typeof v.type === 'string' && typeof v.source === 'string' && 'data' in v;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    result[name] = values.map((v) => v.toString()).join(',');
  }
  return result;
}

interface Waiter {
  predicate: (event: ProbedEvent) => boolean;
  resolve: (event: ProbedEvent) => void;
  reject: (error: Error) => void;
}

/**
 * Reads a topic from its beginning with a consumer group of its own and keeps every CloudEvent,
 * so a test can wait for the event it expects. Messages that are not CloudEvents JSON are kept
 * aside (`rejected`) and reported when a wait times out.
 *
 *   const probe = await EventProbe.start('identity.user.events');
 *   ... act ...
 *   const { envelope, headers } = await probe.waitFor((e) => e.envelope.type === '...' && e.envelope.subject === id);
 *   await probe.close();
 */
export class EventProbe {
  readonly received: ProbedEvent[] = [];
  readonly rejected: { offset: string; partition: number; reason: string }[] = [];
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  private constructor(
    readonly topic: string,
    private readonly consumer: Consumer,
  ) {}

  /** Subscribes to `topicPrefix + topic` (created when missing) and resolves once the consumer has joined. */
  static async start(topic: string, options: EventProbeOptions = {}): Promise<EventProbe> {
    const brokers = options.brokers ?? testEnvironment().brokers;
    const fullTopic = `${options.topicPrefix ?? testEnvironment().topicPrefix}${topic}`;
    await ensureTopics(brokers, [fullTopic]);
    const kafka = new Kafka({ clientId: 'event-probe', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: `${fullTopic}.probe-${randomUUID()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
    });
    const probe = new EventProbe(fullTopic, consumer);
    const joined = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: fullTopic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ topic: t, partition, message }) => probe.accept(t, partition, message.offset, message.key, message.value, message.headers) });
      const timeoutMs = options.joinTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        joined,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`EventProbe: consumer did not join within ${timeoutMs} ms (topic ${fullTopic})`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return probe;
  }

  private accept(topic: string, partition: number, offset: string, key: Buffer | null, value: Buffer | null, headers: IHeaders | undefined): void {
    let parsed: unknown;
    try {
      parsed = value === null ? null : JSON.parse(value.toString('utf8'));
    } catch (error) {
      this.rejected.push({ partition, offset, reason: `not JSON: ${(error as Error).message}` });
      return;
    }
    if (!isEnvelope(parsed)) {
      this.rejected.push({ partition, offset, reason: 'JSON but not a CloudEvents envelope (specversion, id, source, type, data)' });
      return;
    }
    const event: ProbedEvent = { envelope: parsed, headers: headersOf(headers), key: key?.toString('utf8') ?? null, topic, partition, offset };
    this.received.push(event);
    for (const waiter of [...this.waiters]) {
      if (this.matches(waiter.predicate, event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  private matches(predicate: (event: ProbedEvent) => boolean, event: ProbedEvent): boolean {
    try {
      return predicate(event);
    } catch {
      return false; // a predicate that reads a field another event lacks is a "no"
    }
  }

  /** The first event (already received or still to come) that satisfies predicate. */
  waitFor<TData = unknown>(predicate: (event: ProbedEvent) => boolean, timeoutMs = 15_000): Promise<ProbedEvent<TData>> {
    if (this.closed) return Promise.reject(new Error('EventProbe is closed'));
    const seen = this.received.find((e) => this.matches(predicate, e));
    if (seen) return Promise.resolve(seen as ProbedEvent<TData>);
    return new Promise<ProbedEvent<TData>>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as ProbedEvent<TData>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`EventProbe: no matching event on ${this.topic} within ${timeoutMs} ms; ${this.describeSeen()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Every received event of a CloudEvents type. */
  ofType<TData = unknown>(type: string): ProbedEvent<TData>[] {
    return this.received.filter((e) => e.envelope.type === type) as ProbedEvent<TData>[];
  }

  private describeSeen(): string {
    const events = this.received.slice(-10).map((e) => `${e.envelope.type} subject=${e.envelope.subject ?? '-'} id=${e.envelope.id}`);
    const rejected = this.rejected.length ? `; ${this.rejected.length} rejected (first: ${this.rejected[0]?.reason})` : '';
    return `received ${this.received.length}${events.length ? `, latest: [${events.join('; ')}]` : ''}${rejected}`;
  }

  /** Leaves the group and disconnects; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) waiter.reject(new Error(`EventProbe on ${this.topic} was closed while waiting`));
    this.waiters.clear();
    await this.consumer.disconnect();
  }
}
