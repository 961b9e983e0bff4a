// The scrape-time gauges (outbox backlog and age, consumer lag, dead letters) read the outbox
// table and the group's committed offsets when /metrics renders, whatever the relay or the
// consumer is doing.
import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { uuidv7 } from '@storytelling/kernel';
import kafkajs, { type Producer } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import {
  EventStore,
  MessagingModule,
  MessagingRuntime,
  NonRetryableError,
  prefixedTopic,
  sourceForService,
  toCloudEvent,
  type CloudEvent,
  type EventHandler,
} from '../../src/messaging/index.js';
import { renderMetrics } from '../../src/metrics/index.js';
import { PersistenceModule, UnitOfWork } from '../../src/persistence/index.js';
import { createSandbox, Thing, THING_HAPPENED, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

const SERVICE = 'scrape-test';

/** Holds every message until `open()`; refuses `fatal` ones for good. */
@Injectable()
class GatedHandler implements EventHandler {
  private release: (() => void) | undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release?.();
  }
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    if (event.data.fail === 'fatal') throw new NonRetryableError('never works');
    await this.gate;
    await tx.query(`INSERT INTO effects (event_id, subject, n) VALUES ($1, $2, $3)`, [event.id, event.subject, event.data.n]);
  }
}

/** The value of one sample in the exposition text (labels in any order), undefined when absent. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const { body } = await renderMetrics();
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

function envelope(n: number, data: Record<string, unknown> = {}): CloudEvent {
  const id = uuidv7();
  return toCloudEvent(
    { id, aggregateId: id, aggregateType: 'thing', version: 1, type: THING_HAPPENED, topic: THING_TOPIC, data: { n, ...data }, metadata: { correlationId: 'scrape-test' }, occurredAt: new Date() },
    sourceForService('producer'),
  );
}

describe('scrape-time messaging metrics', () => {
  let sb: Sandbox;
  let app: INestApplicationContext;
  let producer: Producer;
  const handler = new GatedHandler();

  beforeAll(async () => {
    sb = await createSandbox('scrape');
    @Module({
      imports: [
        PersistenceModule.forRoot({ database: sb.database }),
        // No relay: the outbox fills up and stays that way.
        MessagingModule.forService({ service: SERVICE, kafka: sb.kafka, relay: false, subscriptions: [{ topic: THING_TOPIC, handler: GatedHandler }], commitIntervalMs: 200 }),
      ],
      providers: [{ provide: GatedHandler, useValue: handler }],
    })
    class TestAppModule {}
    app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    await app.get(MessagingRuntime).consumer!.waitUntilJoined();
    const client = new kafkajs.Kafka({ clientId: 'scrape-test-producer', brokers: sb.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    handler.open();
    await producer?.disconnect();
    await app?.close();
    await sb?.close();
  });

  it('reports the unpublished outbox rows and the age of the oldest while no relay runs', async () => {
    expect(await sample('outbox_backlog', { service: SERVICE })).toBe(0);
    expect(await sample('outbox_oldest_unpublished_age_seconds', { service: SERVICE })).toBe(0);
    const uow = app.get(UnitOfWork);
    const store = app.get(EventStore);
    for (const n of [1, 2, 3]) {
      const thing = new Thing();
      thing.happen(n);
      await uow.run((tx) => store.append(tx, thing, 'thing'));
    }
    await new Promise((r) => setTimeout(r, 1100)); // past the shared read's 1 s reuse
    expect(await sample('outbox_backlog', { service: SERVICE })).toBe(3);
    expect(await sample('outbox_oldest_unpublished_age_seconds', { service: SERVICE })).toBeGreaterThan(1);
  });

  it('reports consumer lag while messages wait, and none once they are processed', async () => {
    const topic = prefixedTopic(sb.kafka, THING_TOPIC);
    const key = uuidv7(); // one partition
    await producer.send({ topic, acks: -1, messages: [1, 2, 3].map((n) => ({ key, value: JSON.stringify(envelope(n)) })) });
    const group = app.get(MessagingRuntime).consumer!.groupId;
    const lagOf = async (): Promise<number> => {
      let total = 0;
      for (const partition of ['0', '1', '2']) total += (await sample('kafka_consumer_lag', { service: SERVICE, group, topic, partition })) ?? 0;
      return total;
    };
    expect(await lagOf()).toBe(3); // the first message is held by the handler: nothing committed
    handler.open();
    await until(async () => (await sb.count(`SELECT count(*) AS n FROM effects`)) === 3, 20_000, 'the three messages are processed');
    await until(async () => (await lagOf()) === 0, 10_000, 'the lag drops to 0 once offsets are committed');
  });

  it('counts a dead letter and reports it waiting in the dead-letter topic', async () => {
    const topic = prefixedTopic(sb.kafka, THING_TOPIC);
    expect(await sample('kafka_dead_letter_backlog', { service: SERVICE })).toBe(0);
    await producer.send({ topic, acks: -1, messages: [{ key: uuidv7(), value: JSON.stringify(envelope(9, { fail: 'fatal' })) }] });
    await until(async () => (await sample('kafka_consumer_dead_lettered_total', { service: SERVICE, topic, reason: 'non_retryable' })) === 1, 20_000, 'one dead letter counted');
    await until(async () => (await sample('kafka_dead_letter_backlog', { service: SERVICE })) === 1, 10_000, 'the dead letter waits in dlq.<service>');
  });
});
