// Retention of analysis_jobs against real PostgreSQL: finished jobs past the retention go, live
// jobs and each story's newest failed job (GetAnalysis answers `failed` from it) stay.
import { randomUUID } from 'node:crypto';
import { deleteExpired } from '@storytelling/platform';
import type { DataSource } from 'typeorm';
import { analysisJobRetention } from '../../src/infrastructure/persistence/analysis-job-retention.js';
import { migratedDataSource } from '../support/db.js';
import { createStorySandbox } from '../support/sandbox.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T00:00:00Z');
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const HASH = 'a'.repeat(64);

describe('analysis job retention (real PostgreSQL)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await migratedDataSource(await createStorySandbox('story-job-retention'));
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  async function story(): Promise<string> {
    const id = randomUUID();
    await ds.query(`INSERT INTO stories (id, title, content, content_hash, author_id, version) VALUES ($1, 'A tale', 'x', $2, $3, 1)`, [id, HASH, randomUUID()]);
    return id;
  }
  /** A job labelled in last_error_message, to find it again. */
  async function job(storyId: string, label: string, status: string, finishedAt: Date): Promise<void> {
    const finished = ['succeeded', 'failed', 'cancelled'].includes(status);
    await ds.query(
      `INSERT INTO analysis_jobs (id, story_id, content_hash, previous_status, status, lease_owner, lease_expires_at, created_at, updated_at, completed_at, last_error_message)
       VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7, $8, $9)`,
      [randomUUID(), storyId, HASH, status, status === 'running' ? 'w' : null, status === 'running' ? now : null, finishedAt, finished ? finishedAt : null, label],
    );
  }

  it('deletes finished jobs older than the retention but keeps live jobs and the newest failure of a story', async () => {
    const a = await story();
    const b = await story();
    const c = await story();
    await job(a, 'a-old-succeeded', 'succeeded', ago(40 * DAY));
    await job(a, 'a-old-cancelled', 'cancelled', ago(39 * DAY));
    await job(a, 'a-old-failed', 'failed', ago(38 * DAY));
    await job(a, 'a-newest-failed-old', 'failed', ago(35 * DAY));
    await job(a, 'a-recent-succeeded', 'succeeded', ago(DAY));
    await job(b, 'b-old-pending', 'pending', ago(60 * DAY));
    await job(c, 'c-old-running', 'running', ago(60 * DAY));

    expect(await deleteExpired(ds, analysisJobRetention(30 * DAY), now, 2)).toBe(3);
    const rows: Array<{ label: string }> = await ds.query(
      `SELECT last_error_message AS label FROM analysis_jobs WHERE story_id = ANY($1::uuid[]) ORDER BY 1`,
      [[a, b, c]],
    );
    expect(rows.map((r) => r.label)).toEqual(['a-newest-failed-old', 'a-recent-succeeded', 'b-old-pending', 'c-old-running']);
  });
});
