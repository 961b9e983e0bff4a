// The saga engine against real PostgreSQL: persistence, optimistic versions, business keys,
// commands in the saga's transaction, SKIP LOCKED deadline claims and the poller.
import { FixedClock, VersionConflictError, uuidv7 } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { runWithContext } from '../../src/context/request-context.js';
import { EventStore } from '../../src/messaging/event-store.js';
import { IllegalSagaTransitionError, SagaDeadlinePoller, SagaKeyTakenError, SagaStore, type SagaInstance } from '../../src/saga/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

interface DemoState {
  n: number;
}

describe('saga engine (real PostgreSQL)', () => {
  let sb: Sandbox;
  const clock = new FixedClock(new Date('2030-01-01T00:00:00Z'));
  const store = new SagaStore({ service: 'test', events: new EventStore(), clock });

  beforeAll(async () => {
    sb = await createSandbox('saga', { sagas: true });
  });
  afterAll(async () => {
    await sb?.close();
  });

  const tx = <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => sb.dataSource.transaction(work);

  it('starts, logs steps and moves through allowed statuses with a growing version', async () => {
    const saga = await tx((m) => store.start<DemoState>(m, { type: 'demo', step: 'charge', state: { n: 1 }, deadlineAt: new Date('2030-01-01T00:05:00Z') }));
    expect(saga).toMatchObject({ status: 'running', step: 'charge', version: 1, state: { n: 1 } });
    const next = await tx(async (m) => {
      const loaded = (await store.get<DemoState>(m, saga.id, { lock: true }))!;
      return store.update(m, loaded, { step: 'activate', state: { n: 2 }, log: { name: 'charge', status: 'completed' } });
    });
    expect(next.version).toBe(2);
    const done = await tx((m) => store.update(m, next, { status: 'completed', log: { status: 'completed' } }));
    expect(done.deadlineAt).toBeNull();
    const reread = await tx((m) => store.get<DemoState>(m, saga.id));
    expect(reread).toMatchObject({ status: 'completed', step: 'activate', version: 3, state: { n: 2 }, deadlineAt: null });
    const steps = await tx((m) => store.steps(m, saga.id));
    expect(steps.map((s) => [s.seq, s.name, s.status])).toEqual([
      [1, 'charge', 'started'],
      [2, 'charge', 'completed'],
      [3, 'activate', 'completed'],
    ]);
    await expect(tx((m) => store.update(m, { ...done }, { status: 'running' }))).rejects.toBeInstanceOf(IllegalSagaTransitionError);
  });

  it('a write from a stale version is a VersionConflictError and changes nothing', async () => {
    const saga = await tx((m) => store.start<DemoState>(m, { type: 'demo', step: 'a', state: { n: 0 } }));
    await tx((m) => store.update(m, saga, { state: { n: 1 } }));
    await expect(tx((m) => store.update(m, saga, { state: { n: 99 } }))).rejects.toBeInstanceOf(VersionConflictError);
    expect((await tx((m) => store.get<DemoState>(m, saga.id)))!.state).toEqual({ n: 1 });
  });

  it('a business key admits one saga; the transaction stays usable after the refusal', async () => {
    const key = `renewal:${uuidv7()}`;
    const first = await tx((m) => store.start(m, { type: 'demo', key, step: 'a', state: {} }));
    const err = await tx(async (m) => {
      const e = await store.start(m, { type: 'demo', key, step: 'a', state: {} }).catch((x: unknown) => x);
      await m.query('SELECT 1'); // the savepoint kept the transaction alive
      return e;
    });
    expect(err).toBeInstanceOf(SagaKeyTakenError);
    expect((err as SagaKeyTakenError).existingId).toBe(first.id);
  });

  it('send() appends the command to the outbox in the same transaction, correlated by the saga id', async () => {
    const causation = uuidv7();
    const saga = await tx((m) => store.start(m, { type: 'demo', step: 'a', state: {} }));
    const sent = await runWithContext({ correlationId: 'request-corr', causationId: causation }, () =>
      tx((m) => store.send(m, saga, { topic: 'payments.commands', type: 'storytelling.payments.payment.charge.v1', data: { sagaId: saga.id } })),
    );
    const rows: Array<{ aggregate_id: string; topic: string; metadata: { correlationId: string; causationId: string } }> = await sb.dataSource.query(
      `SELECT aggregate_id, topic, metadata FROM domain_events WHERE id = $1`,
      [sent.id],
    );
    expect(rows[0]).toMatchObject({ aggregate_id: saga.id, topic: 'payments.commands', metadata: { correlationId: saga.id, causationId: causation } });
    // rolled back together with the saga change: no trace
    const failed = tx(async (m) => {
      await store.send(m, saga, { topic: 'payments.commands', type: 'storytelling.payments.payment.charge.v1', data: { n: 2 } });
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    expect(await sb.count(`SELECT count(*) AS n FROM domain_events WHERE aggregate_id = $1`, [saga.id])).toBe(1);
  });

  it('overdue sagas are claimed with SKIP LOCKED (concurrent claimers never share one) and the poller times them out', async () => {
    const type = `deadline-${uuidv7()}`;
    const now = clock.now();
    const ids = await tx(async (m) => {
      const out: string[] = [];
      for (let i = 0; i < 4; i++) out.push((await store.start(m, { type, step: 'charge', state: { n: i }, deadlineAt: new Date(now.getTime() + 60_000) })).id);
      await store.start(m, { type, step: 'charge', state: { n: 9 }, deadlineAt: new Date(now.getTime() + 3_600_000) }); // not yet due
      return out;
    });
    clock.advance(120_000);
    // two transactions claim at once: disjoint sets that together cover the four
    const other = await sb.openDataSource(2);
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstClaim: SagaInstance[] = [];
    const first = sb.dataSource.transaction(async (m) => {
      firstClaim = await store.claimOverdue(m, { now: clock.now(), limit: 2, types: [type] });
      await firstHolds;
    });
    await new Promise((r) => setTimeout(r, 100));
    const secondClaim = await other.transaction((m) => store.claimOverdue(m, { now: clock.now(), limit: 10, types: [type] }));
    releaseFirst();
    await first;
    expect(firstClaim).toHaveLength(2);
    expect(secondClaim).toHaveLength(2);
    expect(new Set([...firstClaim, ...secondClaim].map((s) => s.id))).toEqual(new Set(ids));

    const timedOut: string[] = [];
    const poller = new SagaDeadlinePoller({
      service: 'test',
      store,
      clock,
      types: [type],
      transaction: (work) => sb.dataSource.transaction(work),
      onDeadline: async (m, saga) => {
        if ((saga.state as { n: number }).n === 0) throw new Error('handler fails for this one');
        timedOut.push(saga.id);
        await store.update(m, saga, { status: 'failed', log: { status: 'timed_out', error: 'deadline passed' } });
      },
    });
    expect(await poller.pollOnce()).toBe(3);
    expect(new Set(timedOut)).toEqual(new Set(ids.slice(1)));
    // the failing one stays due (retried next tick), the others are done
    const statuses: Array<{ status: string }> = await sb.dataSource.query(`SELECT status FROM saga_instances WHERE type = $1 ORDER BY created_at, id`, [type]);
    expect(statuses.filter((s) => s.status === 'running')).toHaveLength(2);
    expect(await poller.pollOnce()).toBe(0);
  });
});
