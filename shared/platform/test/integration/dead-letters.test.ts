// Poison messages and failing handlers end in dlq.<service> with the error in headers, without
// stalling their partition; replayDeadLetters sends them back to their original topic.
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@storytelling/kernel';
import kafkajs, { type Producer } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import {
  KafkaEventConsumer,
  NonRetryableError,
  deadLetterTopic,
  prefixedTopic,
  replayDeadLetters,
  sourceForService,
  toCloudEvent,
  type CloudEvent,
  type ConsumeOutcome,
  type EventHandler,
} from '../../src/messaging/index.js';
import { createSandbox, RawProbe, THING_HAPPENED, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

/** Fails on events whose data says so, until `healed`; records the others as effects. */
class PickyHandler implements EventHandler {
  healed = false;
  attempts = new Map<string, number>();
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    this.attempts.set(event.id, (this.attempts.get(event.id) ?? 0) + 1);
    await tx.query(`INSERT INTO effects (event_id, subject, n) VALUES ($1, $2, $3)`, [event.id, event.subject, event.data.n]);
    if (!this.healed && event.data.fail === 'always') throw new Error(`handler refuses event ${String(event.data.n)}`);
    if (event.data.fail === 'fatal') throw new NonRetryableError('this can never work');
  }
}

function envelope(subject: string, n: number, data: Record<string, unknown> = {}): CloudEvent {
  return toCloudEvent(
    {
      id: uuidv7(),
      aggregateId: subject,
      aggregateType: 'thing',
      version: n + 1,
      type: THING_HAPPENED,
      topic: THING_TOPIC,
      data: { n, ...data },
      metadata: { correlationId: `corr-${n}` },
      occurredAt: new Date(),
    },
    sourceForService('producer'),
  );
}

describe('dead letters', () => {
  const SERVICE = 'dlq-test';
  let sb: Sandbox;
  let producer: Producer;
  let consumer: KafkaEventConsumer;
  let dlqProbe: RawProbe;
  const handler = new PickyHandler();
  const outcomes: ConsumeOutcome[] = [];

  beforeAll(async () => {
    sb = await createSandbox('dlq');
    const client = new kafkajs.Kafka({ clientId: 'dlq-test-producer', brokers: sb.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    // Idempotent, like the relay's: a retried send on a fresh broker must not duplicate messages.
    producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer = new KafkaEventConsumer({
      service: SERVICE,
      kafka: sb.kafka,
      dataSource: sb.dataSource,
      subscriptions: [{ topic: THING_TOPIC, handler }],
      retry: { attempts: 4, initialDelayMs: 20, maxDelayMs: 80, jitter: 0 },
      onOutcome: (o) => outcomes.push(o),
    });
    await consumer.start(); // creates the topic and the DLQ
    await consumer.waitUntilJoined();
    dlqProbe = await new RawProbe(sb.kafka, [deadLetterTopic(sb.kafka, SERVICE)]).start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await dlqProbe?.stop();
    await producer?.disconnect();
    await sb?.close();
  });

  it('dead-letters a malformed message and an always-failing one, then processes the next message of the partition', async () => {
    const topic = prefixedTopic(sb.kafka, THING_TOPIC);
    const key = uuidv7(); // one key: all three land on the same partition, in this order
    const poison = Buffer.from(`{"specversion":"1.0","id": oops ${randomBytes(4).toString('hex')}`);
    const before = envelope(key, 0);
    const failing = envelope(key, 1, { fail: 'always' });
    const fatal = envelope(key, 2, { fail: 'fatal' });
    const good = envelope(key, 3);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key, value: poison, headers: { 'x-origin': 'test' } },
        { key, value: JSON.stringify(before) },
        { key, value: JSON.stringify(failing), headers: { ce_type: failing.type } },
        { key, value: JSON.stringify(fatal) },
        { key, value: JSON.stringify(good) },
      ],
    });

    await until(() => outcomes.some((o) => o.kind === 'processed' && o.event.id === good.id), 20_000, 'the message after the poison ones is processed');
    await until(() => dlqProbe.messages.length >= 3, 10_000, 'three dead letters');

    const [dlPoison, dlFailing, dlFatal] = dlqProbe.messages;
    const partition = outcomes.find((o) => o.kind === 'processed')!.partition;
    const offsets = outcomes.map((o) => Number(o.offset));

    // Malformed: unchanged bytes, no retries.
    expect(dlPoison!.value!.equals(poison)).toBe(true);
    expect(dlPoison!.key).toBe(key);
    expect(dlPoison!.headers).toMatchObject({
      'x-origin': 'test',
      'x-attempts': '1',
      'x-original-topic': topic,
      'x-original-partition': String(partition),
    });
    expect(dlPoison!.headers['x-error']).toMatch(/MalformedMessageError/);
    expect(Number.isNaN(Date.parse(dlPoison!.headers['x-error-at']!))).toBe(false);

    // Always failing: retried to the limit, original bytes and headers kept.
    expect(JSON.parse(dlFailing!.value!.toString())).toEqual(failing);
    expect(dlFailing!.headers).toMatchObject({
      ce_type: failing.type,
      'x-attempts': '4',
      'x-original-topic': topic,
      'x-original-partition': String(partition),
      'x-original-offset': String(Number(dlPoison!.headers['x-original-offset']) + 2),
    });
    expect(dlFailing!.headers['x-error']).toContain('handler refuses event 1');
    expect(handler.attempts.get(failing.id)).toBe(4);

    // NonRetryableError: straight to the DLQ.
    expect(JSON.parse(dlFatal!.value!.toString()).id).toBe(fatal.id);
    expect(dlFatal!.headers['x-attempts']).toBe('1');
    expect(handler.attempts.get(fatal.id)).toBe(1);

    // Failed attempts left no effects or inbox rows behind; the good ones did, exactly once,
    // although the message before the failing one shared its (rolled back) first transaction.
    expect(await sb.count(`SELECT count(*) AS n FROM effects WHERE event_id = ANY($1::uuid[])`, [[failing.id, fatal.id]])).toBe(0);
    expect(await sb.count(`SELECT count(*) AS n FROM effects WHERE event_id = $1`, [good.id])).toBe(1);
    expect(await sb.count(`SELECT count(*) AS n FROM effects WHERE event_id = $1`, [before.id])).toBe(1);
    expect(handler.attempts.get(before.id)).toBe(2);
    expect(outcomes.filter((o) => o.kind === 'processed').map((o) => (o as { event: CloudEvent }).event.id)).toEqual([before.id, good.id]);
    expect(await sb.count(`SELECT count(*) AS n FROM inbox_messages WHERE event_id = $1`, [failing.id])).toBe(0);
    expect(offsets.every((o) => Number.isInteger(o))).toBe(true);
  });

  it('replays dead letters to their original topic; the healed handler processes them', async () => {
    handler.healed = true;
    const before = dlqProbe.messages.length;
    const result = await replayDeadLetters(SERVICE, { kafka: sb.kafka, idleTimeoutMs: 3000 });
    expect(result.replayed).toBe(before);
    const failingId = (JSON.parse(dlqProbe.messages[1]!.value!.toString()) as CloudEvent).id;
    expect(failingId).toBeDefined();
    await until(() => outcomes.some((o) => o.kind === 'processed' && o.event.id === failingId), 20_000, 'the replayed event is processed');
    expect(await sb.count(`SELECT count(*) AS n FROM effects WHERE event_id = $1`, [failingId])).toBe(1);
    // The poison message is still poison: it is dead-lettered again (not lost, not looping).
    await until(() => dlqProbe.messages.length >= before + 2, 10_000, 'poison and fatal messages dead-lettered again');
    expect(dlqProbe.messages.slice(before).map((m) => m.headers['x-replayed-from'])).toEqual([
      expect.stringContaining('dlq.dlq-test/'),
      expect.stringContaining('dlq.dlq-test/'),
    ]);
    // A second replay resumes after the first: only the two new dead letters.
    const again = await replayDeadLetters(SERVICE, { kafka: sb.kafka, idleTimeoutMs: 3000, limit: 1 });
    expect(again.replayed).toBe(1);
  });
});
