// Retention of narration's finished jobs against real PostgreSQL (the platform's sweep with
// narration's rules): succeeded, failed and cancelled jobs of narration_jobs and
// voice_training_jobs older than NARRATION_JOB_RETENTION_MS go; live jobs and recent ones stay.
import { randomUUID } from 'node:crypto';
import { createDataSource, deleteExpired, runMigrations } from '@storytelling/platform';
import { createServiceSandbox } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { narrationMigrations } from '../../../migrations/index.js';
import { loadNarrationConfig } from '../../../src/config.js';
import { finishedJobRetention } from '../../../src/infrastructure/persistence/job-retention.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T00:00:00Z');
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const FINISHED = ['succeeded', 'failed', 'cancelled'];

describe('finished job retention (real PostgreSQL)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    const sandbox = await createServiceSandbox('narrretention', ['narration']);
    ds = createDataSource({ url: sandbox.env.narration.DATABASE_URL, schema: sandbox.env.narration.DATABASE_SCHEMA, poolMax: 2 }, { migrations: narrationMigrations, applicationName: 'narration-retention-test' });
    await ds.initialize();
    await runMigrations(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  async function narration(): Promise<string> {
    const id = randomUUID();
    await ds.query(
      `INSERT INTO narrations (id, story_id, owner_id, voice_id, narrator_profile, conversation_style, status, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'neutral', 'respectful', 'completed', 1, $5, $5)`,
      [id, randomUUID(), randomUUID(), randomUUID(), ago(90 * DAY)],
    );
    return id;
  }
  async function voice(): Promise<string> {
    const id = randomUUID();
    await ds.query(`INSERT INTO voices (id, owner_id, name, provider, training_status, version, created_at, updated_at) VALUES ($1, $2, 'Mum', 'local', 'ready', 1, $3, $3)`, [id, randomUUID(), ago(90 * DAY)]);
    return id;
  }
  /** A job labelled in last_error_message, to find it again; `at` is when it finished (or last changed). */
  async function job(table: 'narration_jobs' | 'voice_training_jobs', parent: string, label: string, status: string, at: Date, kind = 'regenerate'): Promise<void> {
    const running = status === 'running';
    const columns = table === 'narration_jobs' ? 'narration_id, kind, ' : 'voice_id, ';
    const values = table === 'narration_jobs' ? `$2, '${kind}', ` : '$2, ';
    await ds.query(
      `INSERT INTO ${table} (id, ${columns}status, run_after, lease_owner, lease_expires_at, created_at, updated_at, completed_at, last_error_message)
       VALUES ($1, ${values}$3, $4, $5, $6, $4, $4, $7, $8)`,
      [randomUUID(), parent, status, at, running ? 'w' : null, running ? now : null, FINISHED.includes(status) ? at : null, label],
    );
  }
  const labels = async (table: string): Promise<string[]> =>
    ((await ds.query(`SELECT last_error_message AS label FROM ${table} ORDER BY 1`)) as Array<{ label: string }>).map((r) => r.label);

  it('deletes finished jobs older than the retention from both job tables; pending, running and recent jobs stay', async () => {
    const n = await narration();
    await job('narration_jobs', n, 'n-old-succeeded', 'succeeded', ago(40 * DAY), 'generate');
    await job('narration_jobs', n, 'n-old-failed', 'failed', ago(35 * DAY));
    await job('narration_jobs', n, 'n-old-cancelled', 'cancelled', ago(31 * DAY));
    await job('narration_jobs', n, 'n-recent-failed', 'failed', ago(29 * DAY));
    await job('narration_jobs', n, 'n-old-pending', 'pending', ago(60 * DAY));
    await job('narration_jobs', n, 'n-old-running', 'running', ago(60 * DAY), 'generate');
    const v = await voice();
    await job('voice_training_jobs', v, 'v-old-succeeded', 'succeeded', ago(45 * DAY));
    await job('voice_training_jobs', v, 'v-old-failed', 'failed', ago(44 * DAY));
    await job('voice_training_jobs', v, 'v-recent-succeeded', 'succeeded', ago(DAY));
    await job('voice_training_jobs', v, 'v-old-pending', 'pending', ago(60 * DAY));

    const [narrationJobs, trainingJobs] = finishedJobRetention(30 * DAY);
    expect([narrationJobs!.table, trainingJobs!.table]).toEqual(['narration_jobs', 'voice_training_jobs']);
    expect(await deleteExpired(ds, narrationJobs!, now, 2)).toBe(3);
    expect(await deleteExpired(ds, trainingJobs!, now, 2)).toBe(2);
    expect(await labels('narration_jobs')).toEqual(['n-old-pending', 'n-old-running', 'n-recent-failed']);
    expect(await labels('voice_training_jobs')).toEqual(['v-old-pending', 'v-recent-succeeded']);
    // The narration and the voice themselves are not the sweep's.
    expect(await ds.query(`SELECT count(*)::int AS n FROM narrations WHERE id = $1`, [n])).toEqual([{ n: 1 }]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM voices WHERE id = $1`, [v])).toEqual([{ n: 1 }]);
  });

  it('NARRATION_JOB_RETENTION_MS: 30 days unless set, at least a minute', () => {
    const env = { DATABASE_URL: 'postgres://narration:x@127.0.0.1:5432/storytelling', KAFKA_BROKERS: '127.0.0.1:9092', HTTP_PORT: '0', GRPC_PORT: '0' };
    expect(loadNarrationConfig(env).NARRATION_JOB_RETENTION_MS).toBe(30 * DAY);
    expect(loadNarrationConfig({ ...env, NARRATION_JOB_RETENTION_MS: String(7 * DAY) }).NARRATION_JOB_RETENTION_MS).toBe(7 * DAY);
    expect(() => loadNarrationConfig({ ...env, NARRATION_JOB_RETENTION_MS: '1000' })).toThrow(/NARRATION_JOB_RETENTION_MS/);
  });
});
