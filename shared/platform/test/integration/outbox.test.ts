// Outbox semantics against real PostgreSQL and Kafka: atomicity with the business transaction,
// optimistic concurrency, and one active relay per service.
import { VersionConflictError, uuidv7 } from '@storytelling/kernel';
import { runWithContext } from '../../src/context/request-context.js';
import { EventStore, OutboxRelay, parseCloudEvent, prefixedTopic } from '../../src/messaging/index.js';
import { createSandbox, RawProbe, Thing, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

describe('transactional outbox', () => {
  let sb: Sandbox;
  let relay: OutboxRelay;
  let probe: RawProbe;
  const store = new EventStore();

  beforeAll(async () => {
    sb = await createSandbox('outbox');
    probe = await new RawProbe(sb.kafka, [prefixedTopic(sb.kafka, THING_TOPIC)]).start();
    relay = new OutboxRelay({ service: 'outbox-test', kafka: sb.kafka, database: sb.database, pollIntervalMs: 200 });
    relay.start();
    await relay.waitUntilActive();
  });

  afterAll(async () => {
    await relay?.stop();
    await probe?.stop();
    await sb?.close();
  });

  it('publishes a committed event once, as a CloudEvent keyed by the aggregate, with context metadata', async () => {
    const thing = new Thing();
    thing.happen(1);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await runWithContext({ correlationId: 'corr-commit', causationId: 'cause-1', traceparent }, () =>
      sb.dataSource.transaction((tx) => store.append(tx, thing, 'thing')),
    );
    expect(thing.pendingEvents).toHaveLength(0);
    expect(thing.loadedVersion).toBe(1);

    await until(() => probe.messages.some((m) => m.key === thing.id), 10_000, 'the committed event arrives');
    const msg = probe.messages.find((m) => m.key === thing.id)!;
    const ce = parseCloudEvent(msg.value);
    expect(ce).toMatchObject({
      source: '/storytelling/outbox-test',
      type: 'storytelling.test.thing.happened.v1',
      subject: thing.id,
      aggregateversion: 1,
      data: { n: 1 },
      correlationid: 'corr-commit',
      causationid: 'cause-1',
      traceparent,
    });
    expect(msg.headers).toMatchObject({ ce_type: ce.type, ce_id: ce.id, ce_correlationid: 'corr-commit', traceparent });
    await until(async () => (await sb.count(`SELECT count(*) AS n FROM domain_events WHERE aggregate_id = $1 AND published_at IS NOT NULL`, [thing.id])) === 1, 5000, 'row marked published');
  });

  it('publishes nothing and stores nothing when the transaction rolls back', async () => {
    const rolledBack = new Thing();
    rolledBack.happen(1);
    rolledBack.happen(2);
    await expect(
      sb.dataSource.transaction(async (tx) => {
        await store.append(tx, rolledBack, 'thing');
        throw new Error('business rule failed after append');
      }),
    ).rejects.toThrow('business rule failed after append');

    // A control event committed after the rollback: once it has arrived, the relay has
    // certainly passed the point where the rolled-back events would have been published.
    const control = new Thing();
    control.happen(1);
    await sb.dataSource.transaction((tx) => store.append(tx, control, 'thing'));
    await until(() => probe.messages.some((m) => m.key === control.id), 10_000, 'the control event arrives');
    await new Promise((r) => setTimeout(r, 1500));

    expect(probe.messages.filter((m) => m.key === rolledBack.id)).toHaveLength(0);
    expect(await sb.count(`SELECT count(*) AS n FROM domain_events WHERE aggregate_id = $1`, [rolledBack.id])).toBe(0);
  });

  it('lets exactly one of two writers at the same loaded version commit', async () => {
    const id = uuidv7();
    const created = new Thing(id);
    created.happen(0);
    await sb.dataSource.transaction((tx) => store.append(tx, created, 'thing'));

    // Two writers load version 1 and both append version 2. Writer A holds its insert open
    // until B's insert is blocked on the unique index, then commits.
    const a = new Thing(id, 1);
    const b = new Thing(id, 1);
    a.happen(1, { writer: 'a' });
    b.happen(1, { writer: 'b' });
    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((r) => (releaseA = r));
    let aAppended!: () => void;
    const aHasAppended = new Promise<void>((r) => (aAppended = r));

    const writerA = sb.dataSource.transaction(async (tx) => {
      await store.append(tx, a, 'thing');
      aAppended();
      await aMayCommit;
    });
    await aHasAppended;
    const writerB = sb.dataSource.transaction((tx) => store.append(tx, b, 'thing'));
    await until(
      async () =>
        (await sb.count(`SELECT count(*) AS n FROM pg_stat_activity WHERE usename = current_user AND wait_event_type = 'Lock'`)) > 0,
      5000,
      'writer B waits on writer A',
    );
    releaseA();

    const results = await Promise.allSettled([writerA, writerB]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'VERSION_CONFLICT', kind: 'precondition' });

    const rows: Array<{ version: number; writer: string }> = await sb.dataSource.query(
      `SELECT version, data->>'writer' AS writer FROM domain_events WHERE aggregate_id = $1 ORDER BY version`,
      [id],
    );
    expect(rows).toEqual([
      { version: 1, writer: null },
      { version: 2, writer: 'a' },
    ]);
  });

  it('also rejects unsynchronised concurrent writers: one wins, the rest conflict', async () => {
    const id = uuidv7();
    const writers = Array.from({ length: 5 }, (_, i) => {
      const t = new Thing(id, 0);
      t.happen(i);
      return sb.dataSource.transaction((tx) => store.append(tx, t, 'thing'));
    });
    const results = await Promise.allSettled(writers);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(VersionConflictError);
    }
  });

  it('appends commands with the saga as a synthetic aggregate, versioned in order', async () => {
    const sagaId = uuidv7();
    const first = await sb.dataSource.transaction((tx) =>
      store.appendCommand(tx, { topic: 'test.commands', type: 'storytelling.test.thing.do_it.v1', subject: sagaId, data: { step: 1 } }),
    );
    const second = await sb.dataSource.transaction((tx) =>
      store.appendCommand(tx, { topic: 'test.commands', type: 'storytelling.test.thing.do_it.v1', subject: sagaId, data: { step: 2 } }),
    );
    expect([first.version, second.version]).toEqual([1, 2]);
    const rows: Array<{ topic: string; aggregate_type: string }> = await sb.dataSource.query(
      `SELECT topic, aggregate_type FROM domain_events WHERE aggregate_id = $1 ORDER BY version`,
      [sagaId],
    );
    expect(rows).toEqual([
      { topic: 'test.commands', aggregate_type: 'saga' },
      { topic: 'test.commands', aggregate_type: 'saga' },
    ]);
    await expect(
      sb.dataSource.transaction((tx) => store.appendCommand(tx, { topic: 'test.thing.events', type: 'storytelling.test.thing.x.v1', subject: sagaId, data: {} })),
    ).rejects.toThrow(/commands/);
  });
});

describe('relay election', () => {
  let sb: Sandbox;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    sb = await createSandbox('election');
  });

  afterAll(async () => {
    await Promise.allSettled(relays.map((r) => r.stop()));
    await sb?.close();
  });

  it('keeps exactly one relay active per service; a standby takes over when it stops', async () => {
    const make = (): OutboxRelay =>
      new OutboxRelay({ service: 'election-test', kafka: sb.kafka, database: sb.database, lockRetryMs: 200 });
    const [r1, r2] = [make(), make()];
    relays.push(r1, r2);
    r1.start();
    await r1.waitUntilActive();
    r2.start();
    // r2 has had several lock attempts by now and must still be on standby.
    await new Promise((r) => setTimeout(r, 1200));
    expect([r1.status, r2.status]).toEqual(['active', 'standby']);
    const holders = await sb.count(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.usename = current_user`,
    );
    expect(holders).toBe(1);

    await r1.stop();
    expect(r1.status).toBe('stopped');
    await r2.waitUntilActive(5000);
    expect(r2.status).toBe('active');

    // The new active relay publishes.
    const store = new EventStore();
    const t = new Thing();
    t.happen(7);
    await sb.dataSource.transaction((tx) => store.append(tx, t, 'thing'));
    await until(async () => (await sb.count(`SELECT count(*) AS n FROM domain_events WHERE published_at IS NOT NULL AND aggregate_id = $1`, [t.id])) === 1, 10_000, 'the standby-turned-active relay publishes');
  });
});
