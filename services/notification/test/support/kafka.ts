import { uuidv7 } from '@storytelling/kernel';
import { testEnvironment } from '@storytelling/testing';
import kafkajs, { type Consumer, type Producer } from 'kafkajs';
import type { Sandbox } from './sandbox.js';

export interface DeadLetter {
  value: string;
  headers: Record<string, string>;
}

/** Publishes CloudEvents as other services' relays would, and reads dlq.notification. */
export class TestKafka {
  readonly deadLetters: DeadLetter[] = [];
  private constructor(
    private readonly sandbox: Sandbox,
    private readonly producer: Producer,
    private readonly dlq: Consumer,
  ) {}

  static async start(sandbox: Sandbox): Promise<TestKafka> {
    const kafka = new kafkajs.Kafka({ clientId: 'notification-test', brokers: testEnvironment().brokers, logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const dlq = kafka.consumer({ groupId: `${sandbox.topicPrefix}dlq-reader`, maxWaitTimeInMs: 100 });
    const self = new TestKafka(sandbox, producer, dlq);
    await dlq.connect();
    await dlq.subscribe({ topic: sandbox.topic('dlq.notification'), fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v.toString();
        self.deadLetters.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    return self;
  }

  /** An envelope as the producing service's relay writes it. @returns the event id */
  async publish(topic: string, type: string, subject: string, data: Record<string, unknown>, options: { id?: string; version?: number; source?: string } = {}): Promise<string> {
    const id = options.id ?? uuidv7();
    const envelope = {
      specversion: '1.0',
      id,
      source: options.source ?? `/storytelling/${type.split('.')[1]}`,
      type,
      subject,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
      aggregateversion: options.version ?? 1,
      correlationid: id,
    };
    await this.sendRaw(topic, subject, JSON.stringify(envelope));
    return id;
  }

  async sendRaw(topic: string, key: string, value: string): Promise<void> {
    await this.producer.send({ topic: this.sandbox.topic(topic), messages: [{ key, value, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } }] });
  }

  async close(): Promise<void> {
    await this.dlq.disconnect();
    await this.producer.disconnect();
  }
}
