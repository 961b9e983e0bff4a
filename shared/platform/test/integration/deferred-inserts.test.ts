// Rows a handler defers (deferInsert) are written with one multi-row INSERT per consumer
// transaction; a message whose deferred row fails at the flush is isolated and dead-lettered
// alone, and the messages around it in the same batch are processed exactly once.
import { uuidv7 } from '@storytelling/kernel';
import kafkajs, { type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  KafkaEventConsumer,
  deadLetterTopic,
  deferInsert,
  prefixedTopic,
  sourceForService,
  toCloudEvent,
  type CloudEvent,
  type ConsumeOutcome,
  type EventHandler,
} from '../../src/messaging/index.js';
import { UnitOfWork } from '../../src/persistence/index.js';
import { createSandbox, RawProbe, THING_HAPPENED, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

/**
 * Defers one effect row per event the way a service's repository would: through the unit of
 * work, which joins the consumer's (ambient) transaction. `n` goes to an integer column, so a
 * non-number fails at the flush.
 */
class DeferringHandler implements EventHandler {
  attempts = new Map<string, number>();
  dataSource: DataSource | undefined;
  async handle(event: CloudEvent): Promise<void> {
    this.attempts.set(event.id, (this.attempts.get(event.id) ?? 0) + 1);
    await new UnitOfWork(this.dataSource!).run((tx) => deferInsert(tx, 'effects', { event_id: event.id, subject: event.subject, n: event.data.n }));
  }
}

function envelope(subject: string, n: unknown): CloudEvent {
  return toCloudEvent(
    {
      id: uuidv7(),
      aggregateId: subject,
      aggregateType: 'thing',
      version: 1,
      type: THING_HAPPENED,
      topic: THING_TOPIC,
      data: { n },
      metadata: { correlationId: subject },
      occurredAt: new Date(),
    },
    sourceForService('producer'),
  );
}

describe('deferred inserts', () => {
  const SERVICE = 'deferred-test';
  let sb: Sandbox;
  let producer: Producer;
  let consumer: KafkaEventConsumer | undefined;
  let dlqProbe: RawProbe | undefined;
  let second: KafkaEventConsumer | undefined;
  const handler = new DeferringHandler();
  const outcomes: ConsumeOutcome[] = [];

  beforeAll(async () => {
    sb = await createSandbox('deferred');
    handler.dataSource = sb.dataSource;
    const client = new kafkajs.Kafka({ clientId: 'deferred-test', brokers: sb.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await second?.stop();
    await consumer?.stop();
    await dlqProbe?.stop();
    await producer?.disconnect();
    await sb?.close();
  });

  it('outside a consumer transaction, writes the row at once', async () => {
    const id = uuidv7();
    await sb.dataSource.transaction(async (tx) => {
      await deferInsert(tx, 'effects', { event_id: id, subject: id, n: 7 });
      const rows: Array<{ n: number }> = await tx.query(`SELECT n FROM effects WHERE event_id = $1`, [id]);
      expect(rows).toEqual([{ n: 7 }]);
    });
    await expect(sb.dataSource.transaction((tx) => deferInsert(tx, 'effects; DROP TABLE effects', { event_id: id }))).rejects.toThrow(/not a plain lower-case SQL name/);
  });

  it('isolates a poison message in the middle of a batch: it alone is dead-lettered, the others are processed once, with one insert per transaction', async () => {
    const key = uuidv7(); // one key: one partition, in this order, fetched together
    const events = Array.from({ length: 41 }, (_, i) => envelope(key, i === 20 ? 'not a number' : i));
    const poison = events[20]!;
    const good = events.filter((e) => e !== poison);
    // Produced before the consumer starts, so that its first fetch holds them all.
    await producer.send({ topic: prefixedTopic(sb.kafka, THING_TOPIC), acks: -1, messages: events.map((e) => ({ key, value: JSON.stringify(e) })) });

    consumer = new KafkaEventConsumer({
      service: SERVICE,
      kafka: sb.kafka,
      dataSource: sb.dataSource,
      subscriptions: [{ topic: THING_TOPIC, handler }],
      retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 40, jitter: 0 },
      onOutcome: (o) => outcomes.push(o),
    });
    await consumer.start();
    await consumer.waitUntilJoined();
    dlqProbe = await new RawProbe(sb.kafka, [deadLetterTopic(sb.kafka, SERVICE)]).start();

    await until(() => outcomes.filter((o) => o.kind === 'processed').length >= good.length, 30_000, 'every good message is processed');
    await until(() => dlqProbe!.messages.length >= 1, 10_000, 'the poison message is dead-lettered');

    // The poison one: retried to the limit, alone; no inbox row, no effect.
    const dead = outcomes.filter((o) => o.kind === 'dead_lettered');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ kind: 'dead_lettered', attempts: 3, event: { id: poison.id } });
    expect(dead[0]!.kind === 'dead_lettered' && dead[0]!.error).toMatch(/integer/);
    expect(dlqProbe.messages.map((m) => m.id)).toEqual([poison.id]);
    expect(await sb.count(`SELECT count(*) AS n FROM inbox_messages WHERE event_id = $1`, [poison.id])).toBe(0);
    expect(await sb.count(`SELECT count(*) AS n FROM effects WHERE event_id = $1`, [poison.id])).toBe(0);

    // The others: processed in offset order, each effect and inbox row exactly once.
    const processed = outcomes.filter((o) => o.kind === 'processed').map((o) => (o as { event: CloudEvent }).event.id);
    expect(processed).toEqual(good.map((e) => e.id));
    const ids = good.map((e) => e.id);
    expect(await sb.count(`SELECT count(*) AS n FROM effects WHERE event_id = ANY($1::uuid[])`, [ids])).toBe(good.length);
    expect(await sb.count(`SELECT count(DISTINCT event_id) AS n FROM effects WHERE event_id = ANY($1::uuid[])`, [ids])).toBe(good.length);
    expect(await sb.count(`SELECT count(*) AS n FROM inbox_messages WHERE event_id = ANY($1::uuid[])`, [ids])).toBe(good.length);

    // Batched: the effect rows of one transaction came from one statement (same xmin and cmin),
    // and the good messages needed far fewer transactions than messages.
    const statements = await sb.count(`SELECT count(DISTINCT (xmin::text, cmin::text)) AS n FROM effects WHERE event_id = ANY($1::uuid[])`, [ids]);
    const transactions = await sb.count(`SELECT count(DISTINCT xmin::text) AS n FROM effects WHERE event_id = ANY($1::uuid[])`, [ids]);
    expect(statements).toBe(transactions);
    expect(transactions).toBeLessThan(good.length / 2);
    // The halving redid some of them (their first transactions rolled back with the poison).
    expect(Math.max(...good.map((e) => handler.attempts.get(e.id) ?? 0))).toBeGreaterThan(1);
  });
  it('writes exactly one row per distinct event when the batch holds duplicates and a redelivery', async () => {
    // Its own topic and group, so the consumer above does not see these.
    const topic = 'test.duplicates.events';
    const key = uuidv7();
    const events = Array.from({ length: 10 }, (_, i) => envelope(key, i));
    const redelivered = events[9]!; // processed earlier: its inbox row and effect row exist
    // e0..e4, e2 again, e5..e9, e6 again: one partition, one fetch, one transaction.
    const wire = [...events.slice(0, 5), events[2]!, ...events.slice(5), events[6]!];
    await producer.send({ topic: prefixedTopic(sb.kafka, topic), acks: -1, messages: wire.map((e) => ({ key, value: JSON.stringify(e) })) });

    const seen: ConsumeOutcome[] = [];
    second = new KafkaEventConsumer({
      service: `${SERVICE}-duplicates`,
      kafka: sb.kafka,
      dataSource: sb.dataSource,
      subscriptions: [{ topic, handler }],
      retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 40, jitter: 0 },
      onOutcome: (o) => seen.push(o),
    });
    await sb.dataSource.transaction(async (tx) => {
      await tx.query(`INSERT INTO inbox_messages (consumer, event_id, topic, partition, "offset") VALUES ($1, $2, $3, 0, 0)`, [second!.groupId, redelivered.id, topic]);
      await tx.query(`INSERT INTO effects (event_id, subject, n) VALUES ($1, $2, 9)`, [redelivered.id, key]);
    });
    await second.start();
    await second.waitUntilJoined();

    await until(() => seen.length >= wire.length, 30_000, 'every message has an outcome');
    const ids = events.map((e) => e.id);
    const processed = seen.filter((o) => o.kind === 'processed').map((o) => (o as { event: CloudEvent }).event.id);
    const duplicates = seen.filter((o) => o.kind === 'duplicate').map((o) => (o as { event: CloudEvent }).event.id);
    expect(processed).toEqual(ids.slice(0, 9));
    expect(duplicates.sort()).toEqual([events[2]!.id, events[6]!.id, redelivered.id].sort());
    expect(seen.filter((o) => o.kind === 'dead_lettered')).toEqual([]);

    const perEvent: Array<{ event_id: string; n: string }> = await sb.dataSource.query(
      `SELECT event_id, count(*) AS n FROM effects WHERE event_id = ANY($1::uuid[]) GROUP BY event_id`,
      [ids],
    );
    expect(perEvent).toHaveLength(events.length);
    expect(perEvent.every((r) => Number(r.n) === 1)).toBe(true);
    expect(await sb.count(`SELECT count(*) AS n FROM inbox_messages WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [second.groupId, ids])).toBe(events.length);
    // Each new inbox row names the message that inserted it (the ids and offsets travel as two
    // array literals, topic and partition once per batch).
    const inbox: Array<{ event_id: string; topic: string; partition: number; offset: string }> = await sb.dataSource.query(
      `SELECT event_id, topic, partition, "offset" FROM inbox_messages WHERE consumer = $1 AND event_id = ANY($2::uuid[]) ORDER BY "offset"`,
      [second.groupId, ids.slice(0, 9)],
    );
    const firstSeen = seen.filter((o) => o.kind === 'processed');
    expect(inbox).toEqual(firstSeen.map((o) => ({ event_id: (o as { event: CloudEvent }).event.id, topic: prefixedTopic(sb.kafka, topic), partition: o.partition, offset: o.offset })));
    expect(new Set(firstSeen.map((o) => o.offset)).size).toBe(9);
    // The nine new rows were deferred: fewer statements than rows.
    expect(await sb.count(`SELECT count(DISTINCT (xmin::text, cmin::text)) AS n FROM effects WHERE event_id = ANY($1::uuid[])`, [ids.slice(0, 9)])).toBeLessThan(9);
  });
});
