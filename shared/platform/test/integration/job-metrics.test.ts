// The generic job metrics: job_duration_seconds from JobLoops' turns, and the scrape-time depth
// and oldest-due age of a leased job table, against real PostgreSQL.
import { uuidv7 } from '@storytelling/kernel';
import { waitUntil } from '@storytelling/testing';
import { JobLoops, watchJobQueue } from '../../src/jobs/index.js';
import { metricsRegistry } from '../../src/metrics/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

async function value(name: string, labels: Record<string, string>, part = ''): Promise<number | undefined> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const series = (v: (typeof values)[number]): string => (v as { metricName?: string }).metricName ?? name;
  return values.find((v) => series(v) === `${name}${part}` && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))?.value;
}

describe('job metrics (real PostgreSQL)', () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await createSandbox('job_metrics');
    await sb.dataSource.query(
      `CREATE TABLE metered_jobs (id uuid PRIMARY KEY, status text NOT NULL, attempts integer NOT NULL DEFAULT 0, run_after timestamptz NOT NULL,
         lease_owner text, lease_expires_at timestamptz, last_error_code text, last_error_message text,
         created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz)`,
    );
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function insert(status: string, runAfterSecondsAgo: number, leaseExpiredSecondsAgo?: number): Promise<void> {
    await sb.dataSource.query(
      `INSERT INTO metered_jobs (id, status, run_after, lease_owner, lease_expires_at)
       VALUES ($1, $2, clock_timestamp() - make_interval(secs => $3), $4, clock_timestamp() - make_interval(secs => $5))`,
      [uuidv7(), status, runAfterSecondsAgo, status === 'running' ? 'w' : null, leaseExpiredSecondsAgo ?? 0],
    );
  }

  it('reports the queue by state and how long the oldest claimable job has waited', async () => {
    const unwatch = watchJobQueue({ queue: 'metered', table: 'metered_jobs', dataSource: sb.dataSource });
    try {
      expect(await value('job_queue_depth', { queue: 'metered', state: 'due' })).toBe(0);
      expect(await value('job_oldest_due_age_seconds', { queue: 'metered' })).toBe(0);
      await insert('pending', 120); // due for two minutes
      await insert('pending', 5);
      await insert('pending', -3600); // due in an hour
      await insert('running', 600, -60); // lease still held
      await insert('succeeded', 9999); // finished: not counted
      await new Promise((r) => setTimeout(r, 1100)); // past the shared read's reuse
      expect(await value('job_queue_depth', { queue: 'metered', state: 'due' })).toBe(2);
      expect(await value('job_queue_depth', { queue: 'metered', state: 'scheduled' })).toBe(1);
      expect(await value('job_queue_depth', { queue: 'metered', state: 'running' })).toBe(1);
      const age = (await value('job_oldest_due_age_seconds', { queue: 'metered' }))!;
      expect(age).toBeGreaterThanOrEqual(120);
      expect(age).toBeLessThan(130);
    } finally {
      unwatch();
    }
    // Removed: the queue is no longer reported.
    expect(await value('job_queue_depth', { queue: 'metered', state: 'due' })).toBeUndefined();
  });

  it('JobLoops times every turn that had a job into job_duration_seconds{queue,outcome}', async () => {
    let left = 2;
    const loops = new JobLoops({
      name: 'metered-loops',
      workers: 1,
      pollMs: 50,
      turn: async () => (left-- > 0 ? { kind: 'done' } : { kind: 'idle' }),
    });
    loops.start();
    try {
      await waitUntil(async () => ((await value('job_duration_seconds', { queue: 'metered-loops', outcome: 'done' }, '_count')) === 2 ? true : undefined), 5_000);
    } finally {
      await loops.stop();
    }
    expect(await value('job_duration_seconds', { queue: 'metered-loops', outcome: 'idle' }, '_count')).toBeUndefined();
  });
});
