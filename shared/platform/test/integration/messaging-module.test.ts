// The Nest wiring a service uses: PersistenceModule + MessagingModule in one application context,
// readiness checks, and a clean shutdown.
import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource, type EntityManager } from 'typeorm';
import { ReadinessRegistry } from '../../src/health/index.js';
import { EventStore, MessagingModule, MessagingRuntime, type CloudEvent, type EventHandler } from '../../src/messaging/index.js';
import { PersistenceModule, UnitOfWork } from '../../src/persistence/index.js';
import { createSandbox, Thing, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

@Injectable()
class ThingProjection implements EventHandler {
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    await tx.query(`INSERT INTO effects (event_id, subject, n) VALUES ($1, $2, $3)`, [event.id, event.subject, event.data.n]);
  }
}

describe('PersistenceModule + MessagingModule', () => {
  let sb: Sandbox;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    sb = await createSandbox('module');
  });

  afterAll(async () => {
    await app?.close();
    await sb?.close();
  });

  it('boots, round-trips an event through outbox, relay, Kafka and inbox, reports ready, and shuts down cleanly', async () => {
    @Module({
      imports: [
        PersistenceModule.forRoot({ database: sb.database }),
        MessagingModule.forService({
          service: 'module-test',
          kafka: sb.kafka,
          subscriptions: [{ topic: THING_TOPIC, handler: ThingProjection }],
        }),
      ],
      providers: [ThingProjection],
    })
    class TestAppModule {}

    app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    const uow = app.get(UnitOfWork);
    const store = app.get(EventStore);
    const runtime = app.get(MessagingRuntime);
    const dataSource = app.get(DataSource);
    await runtime.relay!.waitUntilActive();
    await runtime.consumer!.waitUntilJoined();

    const report = await app.get(ReadinessRegistry).report();
    expect(report).toEqual({ ready: true, checks: { database: { ok: true }, consumers: { ok: true, optional: true } } });

    const thing = new Thing();
    thing.happen(42);
    await uow.run((tx) => store.append(tx, thing, 'thing'));
    await until(async () => (await sb.count(`SELECT count(*) AS n FROM effects WHERE subject = $1 AND n = 42`, [thing.id])) === 1, 20_000, 'the projection applied the event');

    await app.close();
    app = undefined;
    expect(dataSource.isInitialized).toBe(false);
    expect(runtime.relay!.status).toBe('stopped');
    // The relay's session is gone, and with it the advisory lock.
    expect(
      await sb.count(`SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND a.usename = current_user`),
    ).toBe(0);
  });
});
