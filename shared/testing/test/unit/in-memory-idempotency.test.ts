// runIdempotentInMemory keeps withIdempotency's rules (shared/platform/test/integration/idempotency.test.ts
// checks the real one against PostgreSQL) over an in-memory unit of work's key table.
import { IdempotencyKeyReusedError, runWithContext } from '@storytelling/platform';
import { InMemoryUnitOfWork, runIdempotentInMemory, type IdempotencyKeyTable } from '../../src/index.js';

interface Tables {
  idempotencyKeys: IdempotencyKeyTable;
  created: string[];
}
type Repos = Tables;

const DAY = 86_400_000;

describe('runIdempotentInMemory', () => {
  let uow: InMemoryUnitOfWork<Tables, Repos>;
  let runs: number;

  beforeEach(() => {
    uow = new InMemoryUnitOfWork<Tables, Repos>(
      { idempotencyKeys: new Map(), created: [] },
      (t) => ({ idempotencyKeys: new Map(t.idempotencyKeys), created: [...t.created] }),
      (t) => t,
    );
    runs = 0;
  });

  /** Creates `title` (a row and an answer naming it) under `key` (none: no Idempotency-Key in the context). */
  function create(key: string | undefined, title: string, options: { principal?: string; fail?: boolean; now?: Date } = {}) {
    return runWithContext({ correlationId: 'c', ...(key !== undefined ? { idempotencyKey: key } : {}) }, () =>
      runIdempotentInMemory(
        uow,
        { scope: 'test.Create', principal: options.principal ?? 'user-1', body: { title } },
        async (repos) => {
          runs += 1;
          repos.created.push(title);
          if (options.fail) throw new Error('work failed');
          return { n: repos.created.length, title, at: new Date('2030-01-01T00:00:00Z') };
        },
        { revive: (stored) => ({ ...(stored as { n: number; title: string; at: string }), at: new Date((stored as { at: string }).at) }), ...(options.now ? { now: () => options.now! } : {}) },
      ),
    );
  }

  it('same key and body: the first answer (revived), without running the work again', async () => {
    const first = await create('k1', 'a');
    const again = await create('k1', 'a');
    expect(again).toEqual(first);
    expect(again.at).toBeInstanceOf(Date);
    expect(runs).toBe(1);
    expect(uow.tables.created).toEqual(['a']);
    expect(uow.tables.idempotencyKeys.size).toBe(1);
  });

  it('same key, other body: IdempotencyKeyReusedError, nothing written', async () => {
    await create('k1', 'a');
    await expect(create('k1', 'b')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(uow.tables.created).toEqual(['a']);
  });

  it('a failure is not remembered: the unit and the key roll back, a retry runs', async () => {
    await expect(create('k1', 'a', { fail: true })).rejects.toThrow('work failed');
    expect(uow.tables.idempotencyKeys.size).toBe(0);
    expect(uow.tables.created).toEqual([]);
    expect(await create('k1', 'a')).toMatchObject({ n: 1, title: 'a' });
    expect(runs).toBe(2);
  });

  it('no key: runs every time; keys of other principals never meet', async () => {
    await create(undefined, 'a');
    await create(undefined, 'a');
    await create('', 'a');
    expect(runs).toBe(3);
    await create('k1', 'a', { principal: 'user-1' });
    await create('k1', 'b', { principal: 'user-2' });
    expect(runs).toBe(5);
  });

  it('a key older than 24 h is taken over as new', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    await create('k1', 'a', { now: t0 });
    await create('k1', 'a', { now: new Date(t0.getTime() + DAY - 1) });
    expect(runs).toBe(1);
    expect(await create('k1', 'b', { now: new Date(t0.getTime() + DAY) })).toMatchObject({ title: 'b' });
    expect(runs).toBe(2);
  });
});
