import { uuidv7 } from '@storytelling/kernel';
import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { testEnvironment } from './test-environment.js';

/** The topic namespace of a sandbox (see createServiceSandbox). */
export interface TopicSandbox {
  topicPrefix: string;
  topic(logical: string): string;
}

/** An event as another service's relay would publish it; what is left out gets the relay's defaults. */
export interface TestCloudEvent {
  type: string;
  subject: string;
  data: Record<string, unknown>;
  /** Default: the start option `source`, else `/storytelling/<the type's service>`. */
  source?: string;
  id?: string;
  /** `aggregateversion` (default 1). */
  version?: number;
  /** Default: the event's own id. */
  correlationid?: string;
  causationid?: string;
  time?: string;
}

export interface DeadLetter {
  value: string;
  headers: Record<string, string>;
}

export interface SandboxKafkaOptions {
  clientId: string;
  /** Default `source` of published events. */
  source?: string;
  /** A logical dead-letter topic to read from its beginning into `deadLetters`. */
  deadLetters?: string;
  /** Logical topics to create first (errors such as "already exists" are ignored). */
  createTopics?: Array<{ topic: string; numPartitions: number }>;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v.toString();
  return out;
}

/**
 * Publishes CloudEvents (structured JSON, as the platform relay writes them) into a sandbox's
 * topics, as other services would, and optionally collects a dead-letter topic: for tests of a
 * service's consumers without running the producing service.
 */
export class SandboxKafka {
  readonly deadLetters: DeadLetter[] = [];

  private constructor(
    private readonly sandbox: TopicSandbox,
    private readonly options: SandboxKafkaOptions,
    private readonly producer: Producer,
    private readonly dlq: Consumer | undefined,
  ) {}

  static async start(sandbox: TopicSandbox, options: SandboxKafkaOptions): Promise<SandboxKafka> {
    const kafka = new Kafka({ clientId: options.clientId, brokers: testEnvironment().brokers, logLevel: logLevel.NOTHING });
    // Idempotent, like the relay's: a send retried after NOT_LEADER on a fresh broker must not
    // write the message twice (tests count what arrives).
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    if (options.createTopics?.length) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: options.createTopics.map((t) => ({ topic: sandbox.topic(t.topic), numPartitions: t.numPartitions })) }).catch(() => undefined);
      await admin.disconnect();
    }
    const dlq = options.deadLetters ? kafka.consumer({ groupId: `${sandbox.topicPrefix}dlq-reader`, maxWaitTimeInMs: 100 }) : undefined;
    const self = new SandboxKafka(sandbox, options, producer, dlq);
    if (dlq && options.deadLetters) {
      await dlq.connect();
      await dlq.subscribe({ topic: sandbox.topic(options.deadLetters), fromBeginning: true });
      await dlq.run({
        eachMessage: async ({ message }) => {
          self.deadLetters.push({ value: message.value?.toString() ?? '', headers: headersOf(message.headers) });
        },
      });
    }
    return self;
  }

  /** Publishes the envelope to the logical `topic`, keyed by its subject. @returns the event id */
  async publish(topic: string, event: TestCloudEvent): Promise<string> {
    const id = event.id ?? uuidv7();
    const envelope = {
      specversion: '1.0',
      id,
      source: event.source ?? this.options.source ?? `/storytelling/${event.type.split('.')[1]}`,
      type: event.type,
      subject: event.subject,
      time: event.time ?? new Date().toISOString(),
      datacontenttype: 'application/json',
      data: event.data,
      aggregateversion: event.version ?? 1,
      correlationid: event.correlationid ?? id,
      ...(event.causationid ? { causationid: event.causationid } : {}),
    };
    await this.sendRaw(topic, event.subject, JSON.stringify(envelope));
    return id;
  }

  /** Any bytes, with the CloudEvents content type (for poison-message tests). */
  async sendRaw(topic: string, key: string, value: string): Promise<void> {
    await this.producer.send({ topic: this.sandbox.topic(topic), messages: [{ key, value, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } }] });
  }

  async close(): Promise<void> {
    await this.dlq?.disconnect();
    await this.producer.disconnect();
  }
}
