// withIdempotency against real PostgreSQL: replay, reuse with another body, expiry, concurrency,
// rollback and the retention sweep.
import { runWithContext } from '../../src/context/request-context.js';
import { IdempotencyKeyReusedError, requestFingerprint, withIdempotency } from '../../src/idempotency/index.js';
import { deleteExpired, idempotencyKeysRetention } from '../../src/retention/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

describe('withIdempotency', () => {
  let sb: Sandbox;
  let effects = 0;

  beforeAll(async () => {
    sb = await createSandbox('idem');
    await sb.dataSource.query(`CREATE TABLE idem_effects (id serial PRIMARY KEY, body text NOT NULL)`);
  });
  afterAll(async () => {
    await sb?.close();
  });

  /** One effect row per real run; the result names it. */
  function create(key: string | undefined, body: { title: string }, principal = 'user-1', options: { now?: () => Date } = {}): Promise<{ id: number; title: string }> {
    return runWithContext({ correlationId: 'c', ...(key ? { idempotencyKey: key } : {}) }, () =>
      sb.dataSource.transaction((tx) =>
        withIdempotency(
          tx,
          { scope: 'test.Create', principal, body },
          async () => {
            effects++;
            const rows: Array<{ id: number }> = await tx.query(`INSERT INTO idem_effects (body) VALUES ($1) RETURNING id`, [body.title]);
            return { id: rows[0]!.id, title: body.title };
          },
          options,
        ),
      ),
    );
  }

  it('runs the work once per key and replays the first result for the same body', async () => {
    const before = effects;
    const first = await create('k-same', { title: 'a' });
    const second = await create('k-same', { title: 'a' });
    expect(second).toEqual(first);
    expect(effects - before).toBe(1);
    expect(await sb.count(`SELECT count(*) AS n FROM idem_effects WHERE body = 'a'`)).toBe(1);
  });

  it('refuses the same key with another body (409 IDEMPOTENCY_KEY_REUSED) and changes nothing', async () => {
    await create('k-other', { title: 'b' });
    const err = await create('k-other', { title: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(err).toMatchObject({ kind: 'conflict', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await sb.count(`SELECT count(*) AS n FROM idem_effects WHERE body = 'c'`)).toBe(0);
  });

  it('without a key runs every time; keys of different principals never meet', async () => {
    const a = await create(undefined, { title: 'd' });
    const b = await create(undefined, { title: 'd' });
    expect(a.id).not.toBe(b.id);
    const u1 = await create('shared-key', { title: 'e' }, 'user-1');
    const u2 = await create('shared-key', { title: 'f' }, 'user-2');
    expect(u1.id).not.toBe(u2.id);
  });

  it('concurrent requests with one key produce one effect and the same answer', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => create('k-race', { title: 'race' })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await sb.count(`SELECT count(*) AS n FROM idem_effects WHERE body = 'race'`)).toBe(1);
  });

  it('forgets a key whose work failed (rolled back with it)', async () => {
    await expect(
      runWithContext({ correlationId: 'c', idempotencyKey: 'k-fail' }, () =>
        sb.dataSource.transaction((tx) =>
          withIdempotency(tx, { scope: 'test.Create', principal: 'user-1', body: { title: 'g' } }, () => Promise.reject(new Error('boom'))),
        ),
      ),
    ).rejects.toThrow('boom');
    expect(await sb.count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'k-fail'`)).toBe(0);
    await create('k-fail', { title: 'g' });
    expect(await sb.count(`SELECT count(*) AS n FROM idem_effects WHERE body = 'g'`)).toBe(1);
  });

  it('after 24 h the key is new again, and the sweep deletes expired keys', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const first = await create('k-old', { title: 'h' }, 'user-1', { now: () => t0 });
    const later = new Date(t0.getTime() + 24 * 3600_000 + 1000);
    const again = await create('k-old', { title: 'i' }, 'user-1', { now: () => later });
    expect(again.id).not.toBe(first.id);
    expect(again.title).toBe('i');

    await create('k-sweep', { title: 'j' }, 'user-1', { now: () => t0 });
    const deleted = await deleteExpired(sb.dataSource, idempotencyKeysRetention, new Date(t0.getTime() + 25 * 3600_000), 1000);
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await sb.count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'k-sweep'`)).toBe(0);
    expect(await sb.count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'k-old'`)).toBe(1);
  });

  it('fingerprints ignore object key order but not values', () => {
    expect(requestFingerprint({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(requestFingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
    expect(requestFingerprint({ a: 1, b: undefined })).toBe(requestFingerprint({ a: 1 }));
  });
});
