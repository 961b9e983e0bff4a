// The ambient transaction against real PostgreSQL: `required` joins, `requires_new` commits on
// its own connection whatever the outer transaction does, `reader` reads the ambient writes; a
// caller's passed deadline stops a transaction from opening or committing.
import type { EntityManager } from 'typeorm';
import { DeadlinePassedError, runWithContext } from '../../src/context/index.js';
import { RepositoryUnitOfWork, UnitOfWork, currentTransaction } from '../../src/persistence/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

describe('UnitOfWork: the ambient transaction', () => {
  let sb: Sandbox;
  let uow: UnitOfWork;
  let notes: RepositoryUnitOfWork<{ add(text: string): Promise<void>; count(): Promise<number>; backend(): Promise<number> }>;

  beforeAll(async () => {
    sb = await createSandbox('ambient');
    await sb.dataSource.query(`CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)`);
    uow = new UnitOfWork(sb.dataSource);
    notes = new RepositoryUnitOfWork(uow, sb.dataSource, (m: EntityManager) => ({
      add: async (text: string) => void (await m.query(`INSERT INTO notes (text) VALUES ($1)`, [text])),
      count: async () => Number(((await m.query(`SELECT count(*) AS n FROM notes`)) as Array<{ n: string }>)[0]!.n),
      backend: async () => ((await m.query(`SELECT pg_backend_pid() AS pid`)) as Array<{ pid: number }>)[0]!.pid,
    }));
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    await sb.dataSource.query(`TRUNCATE notes`);
  });

  it('a nested run joins the outer transaction: one connection, and a rollback takes both writes', async () => {
    const err = await notes
      .run(async (outer) => {
        await outer.add('outer');
        const pids = await notes.run(async (inner) => {
          await inner.add('inner');
          return [await outer.backend(), await inner.backend()];
        });
        expect(pids[0]).toBe(pids[1]);
        expect(await notes.reader.count()).toBe(2); // reader sees the ambient transaction's writes
        throw new Error('roll back');
      })
      .catch((e: unknown) => e);
    expect(String(err)).toContain('roll back');
    expect(await notes.reader.count()).toBe(0);
    expect(currentTransaction()).toBeUndefined();
  });

  it('requires_new commits on its own connection even when the outer transaction rolls back', async () => {
    await notes
      .run(async (outer) => {
        await outer.add('outer');
        const [outerPid, innerPid] = await notes.run(async (inner) => {
          await inner.add('committed on its own');
          return [await outer.backend(), await inner.backend()];
        }, { propagation: 'requires_new' });
        expect(innerPid).not.toBe(outerPid);
        throw new Error('outer fails');
      })
      .catch(() => undefined);
    expect(await sb.dataSource.query(`SELECT text FROM notes`)).toEqual([{ text: 'committed on its own' }]);
  });

  it('outside any transaction, reader reads committed state and each run commits on its own', async () => {
    await notes.run((repos) => repos.add('a'));
    await notes.run((repos) => repos.add('b'));
    expect(await notes.reader.count()).toBe(2);
    expect(uow.manager).toBe(sb.dataSource.manager);
  });

  describe("a caller's deadline (RequestContext.deadline, a gRPC call's)", () => {
    const inContext = <T>(deadline: number, work: () => Promise<T>): Promise<T> => runWithContext({ correlationId: 'c-deadline', deadline }, work);

    it('passing while the work runs: the transaction rolls back with DeadlinePassedError', async () => {
      const err = await inContext(Date.now() + 150, () =>
        notes.run(async (repos) => {
          await repos.add('too late');
          await new Promise((resolve) => setTimeout(resolve, 300));
        }),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeadlinePassedError);
      expect(await notes.reader.count()).toBe(0);
    });

    it('already passed: the work does not run at all', async () => {
      let ran = false;
      const err = await inContext(Date.now() - 1, () =>
        notes.run(async (repos) => {
          ran = true;
          await repos.add('never');
        }),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeadlinePassedError);
      expect(ran).toBe(false);
      expect(await notes.reader.count()).toBe(0);
    });

    it('still ahead: the transaction commits as usual', async () => {
      await inContext(Date.now() + 10_000, () => notes.run((repos) => repos.add('in time')));
      expect(await notes.reader.count()).toBe(1);
    });
  });
});
