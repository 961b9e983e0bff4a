// The story use cases (create, update, archive, get, list) against the in-memory unit of work:
// what they answer, what they store, which events they append, and that a refusal writes nothing.
import type { Caller } from '@storytelling/platform';
import { SERVICE_TOKEN_ROLE, runWithContext } from '@storytelling/platform';
import {
  ArchiveStoryCommand,
  ArchiveStoryHandler,
  CreateStoryCommand,
  CreateStoryHandler,
  GetStoryHandler,
  GetStoryQuery,
  ListStoriesHandler,
  ListStoriesQuery,
  UpdateStoryCommand,
  UpdateStoryHandler,
  type StoryQuota,
  type StoryQuotaAnswer,
  type StoryView,
} from '../../../src/application/index.js';
import { StoryEventTypes } from '../../../src/domain/index.js';
import { InMemoryStoryUnitOfWork, outcomeOf } from '../../support/in-memory.js';

const ANN: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000a1', role: 'member' };
const BOB: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000b2', role: 'member' };
const ADMIN: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000c3', role: 'admin' };
const NARRATION: Caller = { userId: 'service:narration', role: SERVICE_TOKEN_ROLE };

/** subscription's CheckQuota as a scripted answer; counts the calls. */
class ScriptedQuota implements StoryQuota {
  calls = 0;
  answer: Omit<StoryQuotaAnswer, 'periodStart'> & { periodStart?: Date } = { allowed: true, used: 0, reserved: 0 };
  async checkStories(): Promise<StoryQuotaAnswer> {
    this.calls++;
    return { periodStart: new Date('2030-01-01T00:00:00Z'), ...this.answer };
  }
}

describe('story commands and queries (in memory)', () => {
  let uow: InMemoryStoryUnitOfWork;
  let quota: ScriptedQuota;
  const create = (who: Caller, title: unknown = 'The Lighthouse', content: unknown = 'Mira kept the lighthouse.') =>
    new CreateStoryHandler(uow, uow.clock, quota).execute(new CreateStoryCommand(who, title, content));
  const update = async (who: Caller, storyId: string, changes: { title?: string; content?: string }, expectedVersion?: number) =>
    new UpdateStoryHandler(uow, uow.clock).execute(new UpdateStoryCommand(who, storyId, changes, expectedVersion));
  const archive = async (who: Caller, storyId: string, expectedVersion?: number) =>
    new ArchiveStoryHandler(uow, uow.clock).execute(new ArchiveStoryCommand(who, storyId, expectedVersion));
  const get = (who: Caller, storyId: string) => new GetStoryHandler(uow).execute(new GetStoryQuery(who, storyId));
  const list = (who: Caller, filter: { authorId?: string; status?: string } = {}, page: { limit?: number; cursor?: string } = {}) =>
    new ListStoriesHandler(uow).execute(new ListStoriesQuery(who, filter, page));
  const types = (aggregateId: string) => uow.events(aggregateId).map((e) => e.type);
  const publish = (storyId: string) => {
    const row = uow.tables.stories.get(storyId)!;
    uow.tables.stories.set(storyId, { ...row, status: 'published' });
  };

  beforeEach(() => {
    uow = new InMemoryStoryUnitOfWork();
    quota = new ScriptedQuota();
  });

  describe('CreateStory', () => {
    it('creates a draft by the caller, stores it and appends StoryCreated in one unit', async () => {
      const story = await create(ANN);
      expect(story).toMatchObject({ title: 'The Lighthouse', authorId: ANN.userId, status: 'draft', version: 1, language: 'en' });
      expect(uow.tables.stories.get(story.id)).toMatchObject({ authorId: ANN.userId, status: 'draft', version: 1 });
      expect(uow.events(story.id)).toMatchObject([{ type: StoryEventTypes.StoryCreated, aggregateVersion: 1, data: { storyId: story.id, authorId: ANN.userId } }]);
      expect(uow.commits).toBe(1);
      expect(quota.calls).toBe(1);
    });

    it('refuses at the limit counting max(subscription used + reserved, own stories since the period start); nothing is written', async () => {
      quota.answer = { allowed: true, used: 0, reserved: 0, limit: 2 };
      await create(ANN);
      await create(ANN);
      // subscription has not counted either yet (used 0): story's own count bounds it
      expect(await outcomeOf(create(ANN))).toBe('business_rule:QUOTA_EXCEEDED');
      quota.answer = { allowed: true, used: 1, reserved: 1, limit: 2 };
      expect(await outcomeOf(create(BOB))).toBe('business_rule:QUOTA_EXCEEDED');
      quota.answer = { allowed: false, used: 0, reserved: 0 };
      expect(await outcomeOf(create(BOB))).toBe('business_rule:QUOTA_EXCEEDED');
      expect([...uow.tables.stories.values()].map((s) => s.authorId)).toEqual([ANN.userId, ANN.userId]);
      expect(uow.events()).toHaveLength(2);
    });

    it('an invalid story is a ValidationError before subscription is asked', async () => {
      expect(await outcomeOf(create(ANN, '  '))).toBe('validation:VALIDATION_FAILED');
      expect(quota.calls).toBe(0);
      expect(uow.tables.stories.size).toBe(0);
    });

    it('a replayed Idempotency-Key answers the first story (dates revived); another body under it is IDEMPOTENCY_KEY_REUSED', async () => {
      const withKey = <T>(key: string, work: () => Promise<T>) => runWithContext({ correlationId: 'c', idempotencyKey: key }, work);
      const first = await withKey('k-1', () => create(ANN));
      const replay: StoryView = await withKey('k-1', () => create(ANN));
      expect(replay).toEqual(first);
      expect(replay.createdAt).toBeInstanceOf(Date);
      expect(uow.tables.stories.size).toBe(1);
      expect(await outcomeOf(withKey('k-1', () => create(ANN, 'Another title')))).toBe('conflict:IDEMPOTENCY_KEY_REUSED');
      // the same key of another caller is another key
      await withKey('k-1', () => create(BOB));
      expect(uow.tables.stories.size).toBe(2);
    });
  });

  describe('UpdateStory', () => {
    it('the author edits; StoryUpdated is appended; an unchanged edit appends nothing', async () => {
      const story = await create(ANN);
      uow.clock.advance(1000);
      const updated = await update(ANN, story.id, { title: 'The Old Lighthouse' });
      expect(updated).toMatchObject({ title: 'The Old Lighthouse', version: 2 });
      expect(updated.updatedAt).toEqual(uow.clock.now());
      await update(ANN, story.id, { title: 'The Old Lighthouse' });
      expect(types(story.id)).toEqual([StoryEventTypes.StoryCreated, StoryEventTypes.StoryUpdated]);
    });

    it('a stale If-Match version is VERSION_CONFLICT (412); someone else gets 404 on a draft, 403 on a published story', async () => {
      const story = await create(ANN);
      await update(ANN, story.id, { title: 'Second' });
      expect(await outcomeOf(update(ANN, story.id, { title: 'Third' }, 1))).toBe('precondition:VERSION_CONFLICT');
      expect(await outcomeOf(update(BOB, story.id, { title: 'Mine now' }))).toBe('not_found:STORY_NOT_FOUND');
      publish(story.id);
      expect(await outcomeOf(update(BOB, story.id, { title: 'Mine now' }))).toBe('forbidden:NOT_STORY_AUTHOR');
      expect(uow.tables.stories.get(story.id)!.title).toBe('Second');
    });

    it('a content edit of an analysing story returns it to draft and cancels its job', async () => {
      const story = await create(ANN);
      const row = uow.tables.stories.get(story.id)!;
      uow.tables.stories.set(story.id, { ...row, status: 'analyzing' });
      await uow.reader.jobs.enqueue({ id: '0190a0d0-0000-7000-8000-0000000000f1', storyId: story.id, contentHash: story.contentHash, previousStatus: 'draft', at: uow.clock.now() });
      const updated = await update(ANN, story.id, { content: 'A different night.' });
      expect(updated.status).toBe('draft');
      expect([...uow.tables.jobs.values()].map((j) => j.status)).toEqual(['cancelled']);
    });
  });

  describe('ArchiveStory', () => {
    it('the author or an admin archives (StoryArchived, active job cancelled); again changes nothing', async () => {
      const mine = await create(ANN);
      await uow.reader.jobs.enqueue({ id: '0190a0d0-0000-7000-8000-0000000000f2', storyId: mine.id, contentHash: mine.contentHash, previousStatus: 'draft', at: uow.clock.now() });
      expect((await archive(ANN, mine.id)).status).toBe('archived');
      expect((await archive(ANN, mine.id)).version).toBe(2);
      expect(types(mine.id)).toEqual([StoryEventTypes.StoryCreated, StoryEventTypes.StoryArchived]);
      expect(uow.events(mine.id)[1]!.data).toMatchObject({ archivedBy: ANN.userId, previousStatus: 'draft' });
      expect([...uow.tables.jobs.values()].map((j) => j.status)).toEqual(['cancelled']);

      const bobs = await create(BOB);
      expect(await archive(ADMIN, bobs.id)).toMatchObject({ status: 'archived' });
      expect(uow.events(bobs.id)[1]!.data).toMatchObject({ archivedBy: ADMIN.userId });
    });

    it('another member: 404 on a draft, 403 on a published story; a bad id is a ValidationError', async () => {
      const story = await create(ANN);
      expect(await outcomeOf(archive(BOB, story.id))).toBe('not_found:STORY_NOT_FOUND');
      publish(story.id);
      expect(await outcomeOf(archive(BOB, story.id))).toBe('forbidden:NOT_STORY_AUTHOR');
      expect(await outcomeOf(archive(ANN, 'not-a-uuid'))).toBe('validation:INVALID_ID');
      expect(uow.tables.stories.get(story.id)!.status).toBe('published');
    });
  });

  describe('GetStory and ListStories', () => {
    it('the author sees a draft, others only once it is published (STORY_NOT_FOUND before)', async () => {
      const story = await create(ANN);
      expect((await get(ANN, story.id)).content).toBe('Mira kept the lighthouse.');
      expect(await outcomeOf(get(BOB, story.id))).toBe('not_found:STORY_NOT_FOUND');
      publish(story.id);
      expect((await get(BOB, story.id)).status).toBe('published');
    });

    it('a service token reads any story that is not archived (drafts included); an archived one is STORY_NOT_FOUND', async () => {
      const story = await create(ANN);
      expect(await get(NARRATION, story.id)).toMatchObject({ id: story.id, authorId: ANN.userId, status: 'draft', content: 'Mira kept the lighthouse.' });
      publish(story.id);
      expect((await get(NARRATION, story.id)).status).toBe('published');
      const other = await create(BOB);
      await archive(BOB, other.id);
      expect(await outcomeOf(get(NARRATION, other.id))).toBe('not_found:STORY_NOT_FOUND');
      expect(await outcomeOf(get(NARRATION, '0190a0d0-0000-7000-8000-0000000000ff'))).toBe('not_found:STORY_NOT_FOUND');
    });

    it('lists the caller’s own unarchived stories and everybody’s published ones, newest first, in pages', async () => {
      const ids: string[] = [];
      for (const [who, n] of [[ANN, 1], [BOB, 2], [ANN, 3], [BOB, 4], [ANN, 5]] as const) {
        uow.clock.advance(1000);
        ids.push((await create(who, `Tale ${n}`, `Body ${n}`)).id);
      }
      publish(ids[3]!); // Bob's fourth
      await archive(ANN, ids[4]!);

      const first = await list(ANN, {}, { limit: 2 });
      expect(first.items.map((s) => s.title)).toEqual(['Tale 4', 'Tale 3']);
      expect(first.items[0]).toMatchObject({ excerpt: 'Body 4', contentLength: 6 });
      const second = await list(ANN, {}, { limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((s) => s.title)).toEqual(['Tale 1']);
      expect(second.nextCursor).toBeUndefined();

      expect((await list(ANN, { status: 'archived' })).items.map((s) => s.title)).toEqual(['Tale 5']);
      expect((await list(ANN, { authorId: BOB.userId })).items.map((s) => s.title)).toEqual(['Tale 4']);
      expect((await list(ANN, { authorId: BOB.userId, status: 'draft' })).items).toEqual([]);
      expect(await outcomeOf(list(ANN, { status: 'lost' }))).toBe('validation:VALIDATION_FAILED');
      expect(await outcomeOf(list(ANN, {}, { cursor: 'nonsense' }))).toBe('validation:INVALID_CURSOR');
    });
  });
});
