// The leased job queue against real PostgreSQL: LeasedJobTable's SKIP LOCKED claims (two
// claimers never get the same job, a row another transaction holds is skipped, not waited for),
// leases by the database's clock (expiry takeover, renewal), attempts, the ways a job ends or
// goes back, an extra claim condition; and JobLoops over it (wake-up, polling, worker ids, a
// failing turn, stop handing the job in flight back).
import { setTimeout as sleep } from 'node:timers/promises';
import { uuidv7 } from '@storytelling/kernel';
import { waitUntil } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { JobLoops, JobLoopsWorker, LeasedJobTable, leasedJobFields, type LeasedJobRow, type LeasedJobTableOptions } from '../../src/jobs/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

interface TestJobRow extends LeasedJobRow {
  grp: string;
}

describe('leased jobs (real PostgreSQL)', () => {
  let sb: Sandbox;
  let other: DataSource;

  beforeAll(async () => {
    sb = await createSandbox('leased_jobs');
    other = await sb.openDataSource();
    // The columns of LeasedJobRow, and a group for claimableWhen.
    await sb.dataSource.query(
      `CREATE TABLE test_jobs (id uuid PRIMARY KEY, grp text NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0, run_after timestamptz NOT NULL,
         lease_owner text, lease_expires_at timestamptz, last_error_code text, last_error_message text,
         created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, completed_at timestamptz)`,
    );
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    await sb.dataSource.query(`TRUNCATE test_jobs`);
  });

  const jobsOn = (ds: DataSource = sb.dataSource, options: LeasedJobTableOptions = {}) => new LeasedJobTable<TestJobRow>(ds.manager, 'test_jobs', options);

  /** Pending jobs, due one millisecond apart in the order given (the past by default). */
  async function enqueue(n = 1, { grp = 'g', dueInMs = -60_000 }: { grp?: string; dueInMs?: number } = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = uuidv7();
      const at = new Date();
      await sb.dataSource.query(`INSERT INTO test_jobs (id, grp, status, attempts, run_after, created_at, updated_at) VALUES ($1, $2, 'pending', 0, $3, $4, $4)`, [
        id,
        grp,
        new Date(at.getTime() + dueInMs + i),
        at,
      ]);
      ids.push(id);
    }
    return ids;
  }
  async function row(id: string): Promise<TestJobRow> {
    const rows: TestJobRow[] = await sb.dataSource.query(`SELECT * FROM test_jobs WHERE id = $1`, [id]);
    return rows[0]!;
  }
  const lockOwned = (id: string, workerId: string, leaseMs?: number) =>
    sb.dataSource.transaction((tx) => new LeasedJobTable<TestJobRow>(tx, 'test_jobs').lockOwned(id, workerId, leaseMs));

  describe('LeasedJobTable', () => {
    it('claims the oldest due job: running, owned, leased by the database clock, attempts + 1; a job not yet due waits', async () => {
      const [first, second] = await enqueue(2);
      const [later] = await enqueue(1, { dueInMs: 3_600_000 });
      const jobs = jobsOn();

      const claimed = (await jobs.claim('w1', 30_000))!;
      expect(claimed).toMatchObject({ id: first, status: 'running', attempts: 1, lease_owner: 'w1', grp: 'g' });
      const [{ lease_ms }] = (await sb.dataSource.query(`SELECT extract(epoch FROM (lease_expires_at - clock_timestamp())) * 1000 AS lease_ms FROM test_jobs WHERE id = $1`, [
        first,
      ])) as Array<{ lease_ms: string }>;
      expect(Number(lease_ms)).toBeGreaterThan(25_000);
      expect(Number(lease_ms)).toBeLessThanOrEqual(30_000);
      expect(leasedJobFields(claimed)).toMatchObject({ id: first, status: 'running', attempts: 1, leaseOwner: 'w1', leaseExpiresAt: expect.any(Date) });

      expect((await jobs.claim('w2', 30_000))?.id).toBe(second);
      expect(await jobs.claim('w3', 30_000)).toBeUndefined();
      expect(await row(later!)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null });
    });

    it('two claimers on their own connections never get the same job, and every due job is claimed once', async () => {
      const ids = await enqueue(24);
      const got = new Map<string, string[]>();
      const claimer = async (ds: DataSource, workerId: string): Promise<void> => {
        const jobs = jobsOn(ds);
        const mine: string[] = [];
        for (let job = await jobs.claim(workerId, 30_000); job; job = await jobs.claim(workerId, 30_000)) mine.push(job.id);
        got.set(workerId, mine);
      };
      await Promise.all([0, 1, 2, 3].flatMap((i) => [claimer(sb.dataSource, `a-${i}`), claimer(other, `b-${i}`)]));

      const all = [...got.values()].flat();
      expect(all).toHaveLength(ids.length);
      expect(new Set(all)).toEqual(new Set(ids));
      for (const [workerId, mine] of got) for (const id of mine) expect(await row(id)).toMatchObject({ status: 'running', attempts: 1, lease_owner: workerId });
    });

    it('skips a due job another transaction holds instead of waiting for it', async () => {
      const [held, free] = await enqueue(2);
      const holder = other.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query(`SELECT id FROM test_jobs WHERE id = $1 FOR UPDATE`, [held]);
        const jobs = jobsOn();
        const started = Date.now();
        expect((await jobs.claim('w1', 30_000))?.id).toBe(free);
        expect(await jobs.claim('w1', 30_000)).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect((await jobsOn().claim('w2', 30_000))?.id).toBe(held);
    });

    it('a lease that expired (database clock) is taken over by another worker; the first one no longer owns the job', async () => {
      const [id] = await enqueue();
      expect((await jobsOn().claim('w1', 300))?.id).toBe(id);
      expect(await jobsOn(other).claim('w2', 30_000)).toBeUndefined();
      expect((await lockOwned(id!, 'w1'))?.id).toBe(id);

      await sleep(450);
      const taken = (await jobsOn(other).claim('w2', 30_000))!;
      expect(taken).toMatchObject({ id, status: 'running', attempts: 2, lease_owner: 'w2' });
      expect(await lockOwned(id!, 'w1')).toBeUndefined();
      expect((await lockOwned(id!, 'w2'))?.lease_owner).toBe('w2');
    });

    it('lockOwned with a lease renews it from now, so the job is not taken over when the first lease would have ended', async () => {
      const [id] = await enqueue();
      await jobsOn().claim('w1', 400);
      await sleep(200);
      expect((await lockOwned(id!, 'w1', 2_000))?.id).toBe(id);
      await sleep(400);
      expect(await jobsOn(other).claim('w2', 30_000)).toBeUndefined();
      expect(await row(id!)).toMatchObject({ status: 'running', lease_owner: 'w1', attempts: 1 });
    });

    it('counts attempts: every claim adds one, a hand-back (release) takes its own back, a reschedule keeps it', async () => {
      const [id] = await enqueue();
      const jobs = jobsOn();
      expect((await jobs.claim('w1', 30_000))?.attempts).toBe(1);
      await jobs.release(id!, new Date());
      expect(await row(id!)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null, lease_expires_at: null });

      expect((await jobs.claim('w1', 30_000))?.attempts).toBe(1);
      await jobs.reschedule(id!, new Date(Date.now() - 1_000), { code: 'BUSY', message: 'try later' }, new Date());
      expect(await row(id!)).toMatchObject({ status: 'pending', attempts: 1, lease_owner: null, last_error_code: 'BUSY', last_error_message: 'try later' });
      expect((await jobs.claim('w2', 30_000))?.attempts).toBe(2);
      // Two expiries later: the third claim.
      await jobs.reschedule(id!, new Date(Date.now() - 1_000), { code: 'BUSY', message: 'again' }, new Date());
      expect((await jobs.claim('w3', 30_000))?.attempts).toBe(3);
    });

    it('a job rescheduled into the future waits until then', async () => {
      const [id] = await enqueue();
      const jobs = jobsOn();
      await jobs.claim('w1', 30_000);
      await jobs.reschedule(id!, new Date(Date.now() + 400), { code: 'BUSY', message: 'later' }, new Date());
      expect(await jobs.claim('w1', 30_000)).toBeUndefined();
      await sleep(500);
      expect((await jobs.claim('w1', 30_000))?.id).toBe(id);
    });

    it('finish ends the job (never claimed again): a failure is recorded, success keeps the last error', async () => {
      const [failed, succeeded, cancelled] = await enqueue(3);
      const jobs = jobsOn();
      const at = new Date('2030-01-01T00:00:00Z');
      await jobs.claim('w1', 30_000);
      await jobs.finish(failed!, 'failed', { code: 'BROKEN', message: 'no way' }, at);
      await jobs.claim('w1', 30_000);
      await jobs.reschedule(succeeded!, new Date(Date.now() - 3_600_000), { code: 'BUSY', message: 'once' }, new Date());
      await jobs.claim('w1', 30_000);
      await jobs.finish(succeeded!, 'succeeded', null, at);
      await jobs.finish(cancelled!, 'cancelled', null, at);

      expect(await row(failed!)).toMatchObject({ status: 'failed', lease_owner: null, lease_expires_at: null, completed_at: at, last_error_code: 'BROKEN', last_error_message: 'no way' });
      expect(await row(succeeded!)).toMatchObject({ status: 'succeeded', attempts: 2, completed_at: at, last_error_code: 'BUSY' });
      expect(await row(cancelled!)).toMatchObject({ status: 'cancelled', attempts: 0, completed_at: at });
      expect(await jobs.claim('w1', 30_000)).toBeUndefined();
    });

    it('claimableWhen adds a condition over the due row `c` (here: one running job per group)', async () => {
      const [a1, a2] = await enqueue(2, { grp: 'a' });
      const [b1] = await enqueue(1, { grp: 'b' });
      const jobs = jobsOn(sb.dataSource, {
        claimableWhen: `NOT EXISTS (SELECT 1 FROM test_jobs o WHERE o.grp = c.grp AND o.id <> c.id AND o.status = 'running' AND o.lease_expires_at >= clock_timestamp())`,
      });
      expect((await jobs.claim('w1', 30_000))?.id).toBe(a1);
      expect((await jobs.claim('w2', 30_000))?.id).toBe(b1);
      expect(await jobs.claim('w3', 30_000)).toBeUndefined();
      await jobs.finish(a1!, 'succeeded', null, new Date());
      expect((await jobs.claim('w3', 30_000))?.id).toBe(a2);
    });
  });

  describe('JobLoops', () => {
    /** Loops whose turns claim from test_jobs and hold the job until it is marked done or the loops stop (then hand it back). */
    function loopsOver(options: { workers?: number; pollMs?: number; fail?: () => boolean } = {}) {
      const jobs = jobsOn();
      const seen = { workerIds: new Set<string>(), idleTurns: 0, turns: [] as string[], finishNow: new Set<string>() };
      const loops = new JobLoops({
        name: 'test',
        workers: options.workers ?? 2,
        pollMs: options.pollMs ?? 60_000,
        turn: async (workerId, stop) => {
          seen.workerIds.add(workerId);
          if (options.fail?.()) throw new Error('turn broke');
          const job = await jobs.claim(workerId, 30_000);
          if (!job) {
            seen.idleTurns += 1;
            return { kind: 'idle' };
          }
          while (!stop.aborted && !seen.finishNow.has(job.id)) await sleep(20);
          if (stop.aborted) {
            await jobs.release(job.id, new Date());
            return { kind: 'released' };
          }
          await jobs.finish(job.id, 'succeeded', null, new Date());
          return { kind: 'done' };
        },
        onTurn: (outcome, seconds) => {
          expect(seconds).toBeGreaterThanOrEqual(0);
          seen.turns.push(outcome);
        },
      });
      return { loops, seen };
    }

    it('runs N loops with distinct worker ids; idle loops sleep until notify() wakes them', async () => {
      const { loops, seen } = loopsOver({ workers: 3, pollMs: 60_000 });
      loops.start();
      try {
        await waitUntil(() => seen.idleTurns >= 3);
        const ids = [...seen.workerIds];
        expect(ids).toHaveLength(3);
        const base = ids[0]!.replace(/:test-\d+$/, '');
        expect(ids.sort()).toEqual([`${base}:test-0`, `${base}:test-1`, `${base}:test-2`]);

        const [id] = await enqueue();
        await sleep(200);
        expect(await row(id!)).toMatchObject({ status: 'pending' });
        loops.notify();
        const running = await waitUntil(async () => ((await row(id!)).status === 'running' ? await row(id!) : undefined), 5_000, 20);
        expect(ids).toContain(running.lease_owner);
        seen.finishNow.add(id!);
        await waitUntil(async () => (await row(id!)).status === 'succeeded', 5_000, 20);
        await waitUntil(() => seen.turns.includes('done'));
      } finally {
        await loops.stop();
      }
    });

    it('idle loops poll every pollMs without a wake-up; a turn that throws is logged and the loop goes on', async () => {
      let failures = 2;
      const { loops, seen } = loopsOver({ workers: 1, pollMs: 50, fail: () => failures-- > 0 });
      loops.start();
      try {
        await waitUntil(() => seen.idleTurns >= 1, 5_000, 10);
        const [id] = await enqueue();
        await waitUntil(async () => (await row(id!)).status === 'running', 5_000, 20);
        expect(failures).toBeLessThan(0);
        seen.finishNow.add(id!);
        await waitUntil(async () => (await row(id!)).status === 'succeeded', 5_000, 20);
      } finally {
        await loops.stop();
      }
    });

    it('stop() aborts the turn in flight, which hands its job back (pending, attempt not counted), and ends sleeping loops at once', async () => {
      const { loops, seen } = loopsOver({ workers: 2, pollMs: 60_000 });
      const [id] = await enqueue();
      loops.start();
      await waitUntil(async () => (await row(id!)).status === 'running', 5_000, 20);
      await waitUntil(() => seen.idleTurns >= 1);

      const started = Date.now();
      await loops.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await row(id!)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null, lease_expires_at: null });
      expect(seen.turns).toEqual(['released']);

      const idle = seen.idleTurns;
      loops.notify();
      await sleep(100);
      expect(seen.idleTurns).toBe(idle);
    });

    it('JobLoopsWorker starts the loops with the application and stops them before it shuts down', async () => {
      const jobs = jobsOn();
      let idleTurns = 0;
      class TestWorker extends JobLoopsWorker {}
      const worker = new TestWorker({
        name: 'test',
        workers: 1,
        pollMs: 60_000,
        turn: async (workerId, stop) => {
          const job = await jobs.claim(workerId, 30_000);
          if (!job) {
            idleTurns += 1;
            return { kind: 'idle' };
          }
          await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
          await jobs.release(job.id, new Date());
          return { kind: 'released' };
        },
      });
      worker.onApplicationBootstrap();
      await waitUntil(() => idleTurns >= 1);
      const [id] = await enqueue();
      worker.notify();
      await waitUntil(async () => (await row(id!)).status === 'running', 5_000, 20);
      await worker.beforeApplicationShutdown();
      expect(await row(id!)).toMatchObject({ status: 'pending', attempts: 0 });
    });
  });
});
