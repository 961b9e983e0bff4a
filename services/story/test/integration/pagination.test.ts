import { systemClock, uuidv7 } from '@storytelling/kernel';
import type { DataSource } from 'typeorm';
import {
  CreateStoryCommand,
  CreateStoryHandler,
  ListFollowersHandler,
  ListFollowersQuery,
  ListStoriesHandler,
  ListStoriesQuery,
  type StoryUnitOfWork,
} from '../../src/application/index.js';
import { migratedDataSource, postgresUnitOfWork } from '../support/db.js';
import { createStorySandbox } from '../support/sandbox.js';
import { UNLIMITED_QUOTA } from '../support/fake-subscription.js';

const READER = { userId: '0190a0d0-0000-7000-8000-00000000b001', role: 'member' };

describe('keyset pagination (real Postgres)', () => {
  let ds: DataSource;
  let uow: StoryUnitOfWork;

  beforeAll(async () => {
    ds = await migratedDataSource(await createStorySandbox('pages'));
    uow = postgresUnitOfWork(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  /** A published story by a random author (publishing does not exist yet: set the status directly). */
  async function publishedStory(n: number): Promise<string> {
    const story = await new CreateStoryHandler(uow, systemClock, UNLIMITED_QUOTA).execute(
      new CreateStoryCommand({ userId: uuidv7(), role: 'member' }, `Story number ${n}`, `Body ${n}`),
    );
    await ds.query(`UPDATE stories SET status = 'published' WHERE id = $1`, [story.id]);
    return story.id;
  }

  it('pages never overlap and keep every story that existed when paging began, while others are inserted concurrently', async () => {
    const before: string[] = [];
    for (let i = 0; i < 45; i++) before.push(await publishedStory(i));
    const list = new ListStoriesHandler(uow);

    let inserting = true;
    const inserted: string[] = [];
    const writer = (async () => {
      let n = 1000;
      while (inserting) inserted.push(await publishedStory(n++));
    })();

    const seen: Array<{ id: string; createdAt: Date }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list.execute(new ListStoriesQuery(READER, { status: 'published' }, { limit: 7, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((s) => ({ id: s.id, createdAt: s.createdAt })));
      cursor = page.nextCursor;
      pages++;
      await new Promise((r) => setTimeout(r, 5)); // let the writer interleave
    } while (cursor);
    inserting = false;
    await writer;

    const ids = seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length); // no overlap
    expect(ids).toEqual(expect.arrayContaining(before)); // nothing that existed was skipped
    expect(inserted.length).toBeGreaterThan(0);
    expect(pages).toBeGreaterThan(6);
    // strictly newest first by (created_at, id)
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1]!;
      const b = seen[i]!;
      expect(a.createdAt.getTime() > b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a.id > b.id)).toBe(true);
    }
  });

  it('ties on created_at are broken by id: same-millisecond rows are neither lost nor repeated', async () => {
    const author = { userId: uuidv7(), role: 'member' };
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const s = await new CreateStoryHandler(uow, systemClock, UNLIMITED_QUOTA).execute(new CreateStoryCommand(author, `Tie ${i}`, ''));
      ids.push(s.id);
    }
    await ds.query(`UPDATE stories SET created_at = '2026-01-01T00:00:00.000Z' WHERE author_id = $1`, [author.userId]);
    const list = new ListStoriesHandler(uow);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list.execute(new ListStoriesQuery(author, { authorId: author.userId }, { limit: 2, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort().reverse());
  });

  it('followers: keyset by (followed_at, follower id), display names from the ACL (empty when not known yet)', async () => {
    const author = uuidv7();
    await ds.query(`INSERT INTO authors (id, display_name, identity_version) VALUES ($1, 'Star', 1)`, [author]);
    const followers = Array.from({ length: 5 }, () => uuidv7());
    for (const [i, f] of followers.entries()) {
      if (i < 4) await ds.query(`INSERT INTO authors (id, display_name, identity_version) VALUES ($1, $2, 1)`, [f, `Fan ${i}`]);
      await ds.query(`INSERT INTO story_followers (author_id, follower_id, followed_at) VALUES ($1, $2, $3)`, [author, f, new Date(Date.UTC(2026, 0, 1, 0, 0, i % 2))]);
    }
    const list = new ListFollowersHandler(uow);
    const seen: Array<{ userId: string; displayName: string }> = [];
    let cursor: string | undefined;
    do {
      const page = await list.execute(new ListFollowersQuery({ userId: author, role: 'member' }, author, { limit: 2, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((f) => ({ userId: f.userId, displayName: f.displayName })));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = followers
      .map((f, i) => ({ userId: f, displayName: i < 4 ? `Fan ${i}` : '', t: i % 2 }))
      .sort((a, b) => b.t - a.t || (a.userId < b.userId ? 1 : -1))
      .map(({ userId, displayName }) => ({ userId, displayName }));
    expect(seen).toEqual(expected);
  });
});
