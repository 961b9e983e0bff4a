// Offsets are committed periodically and on stop (not after every batch): a restarted consumer
// resumes where the previous one stopped, without reprocessing.
import { uuidv7 } from '@storytelling/kernel';
import kafkajs, { type Admin, type Producer } from 'kafkajs';
import {
  KafkaEventConsumer,
  prefixedTopic,
  sourceForService,
  toCloudEvent,
  type ConsumeOutcome,
} from '../../src/messaging/index.js';
import { createSandbox, RecordingHandler, THING_HAPPENED, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

describe('consumer offsets', () => {
  const SERVICE = 'offsets-test';
  let sb: Sandbox;
  let producer: Producer;
  let admin: Admin;
  const consumers: KafkaEventConsumer[] = [];

  beforeAll(async () => {
    sb = await createSandbox('offsets');
    const client = new kafkajs.Kafka({ clientId: 'offsets-test', brokers: sb.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    // Idempotent, like the relay's: on a fresh broker a send can meet NOT_LEADER_FOR_PARTITION
    // after the broker already appended it, and a plain producer's retry would write duplicates
    // (offsets past the count this test asserts; seen once in a clean-clone run).
    producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    admin = client.admin();
    await Promise.all([producer.connect(), admin.connect()]);
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.stop()));
    await producer?.disconnect();
    await admin?.disconnect();
    await sb?.close();
  });

  async function produce(n: number): Promise<string[]> {
    const ids: string[] = [];
    const messages = Array.from({ length: n }, (_, i) => {
      const subject = uuidv7();
      const ce = toCloudEvent(
        {
          id: uuidv7(),
          aggregateId: subject,
          aggregateType: 'thing',
          version: 1,
          type: THING_HAPPENED,
          topic: THING_TOPIC,
          data: { n: i },
          metadata: { correlationId: subject },
          occurredAt: new Date(),
        },
        sourceForService('producer'),
      );
      ids.push(ce.id);
      return { key: subject, value: JSON.stringify(ce) };
    });
    await producer.send({ topic: prefixedTopic(sb.kafka, THING_TOPIC), acks: -1, messages });
    return ids;
  }

  function start(outcomes: ConsumeOutcome[], commitIntervalMs: number): KafkaEventConsumer {
    const consumer = new KafkaEventConsumer({
      service: SERVICE,
      kafka: sb.kafka,
      dataSource: sb.dataSource,
      subscriptions: [{ topic: THING_TOPIC, handler: new RecordingHandler() }],
      commitIntervalMs,
      onOutcome: (o) => outcomes.push(o),
    });
    consumers.push(consumer);
    return consumer;
  }

  async function committed(groupId: string): Promise<number> {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [prefixedTopic(sb.kafka, THING_TOPIC)] });
    return topic!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  it('commits on stop and periodically, not per batch; a restarted consumer neither skips nor repeats', async () => {
    // A: the interval never elapses during the test, so only stop() can commit.
    const first: ConsumeOutcome[] = [];
    const a = start(first, 600_000);
    await a.start();
    await a.waitUntilJoined();
    const batch1 = await produce(20);
    await until(() => first.filter((o) => o.kind === 'processed').length === 20, 20_000, 'A processed 20');
    await new Promise((r) => setTimeout(r, 500));
    expect(await committed(a.groupId)).toBe(0); // nothing committed per batch
    await a.stop();
    expect(await committed(a.groupId)).toBe(20);

    // B: resumes after A's 20, commits by interval while running.
    const second: ConsumeOutcome[] = [];
    const b = start(second, 200);
    await b.start();
    const batch2 = await produce(5);
    await until(() => second.filter((o) => o.kind === 'processed').length === 5, 30_000, 'B processed the new 5');
    await until(async () => (await committed(b.groupId)) === 25, 5_000, 'the periodic commit covered them');
    await b.stop();

    // C: resumes after 25.
    const third: ConsumeOutcome[] = [];
    const c = start(third, 200);
    await c.start();
    const batch3 = await produce(5);
    await until(() => third.filter((o) => o.kind === 'processed').length === 5, 30_000, 'C processed the new 5');
    await new Promise((r) => setTimeout(r, 1000));

    const ids = (outcomes: ConsumeOutcome[]): string[] => outcomes.map((o) => ('event' in o && o.event ? o.event.id : o.kind)).sort();
    expect(ids(second)).toEqual([...batch2].sort());
    expect(ids(third)).toEqual([...batch3].sort());
    expect(first.filter((o) => o.kind !== 'processed')).toEqual([]);
    expect(await sb.count(`SELECT count(*) AS n FROM effects`)).toBe(30);
    expect(new Set([...batch1, ...batch2, ...batch3]).size).toBe(30);
  });
});
