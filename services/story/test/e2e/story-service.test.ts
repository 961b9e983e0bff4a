import { storyEvents } from '@storytelling/contracts';
import { EventProbe, waitUntil } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { as, outcome, registerUser, startStack, type RunningStack, type TestUser } from '../support/app-harness.js';

const TALE = 'Mira kept the lighthouse. The storm came at night. The light held until dawn.';

describe('story service over gRPC (in process with identity, real Postgres and Kafka)', () => {
  let stack: RunningStack;
  let ds: DataSource;
  let storyEvts: EventProbe;
  let authorEvts: EventProbe;
  let ann: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stack = await startStack('svc');
    ds = stack.ds;
    const topicPrefix = stack.sandbox.topicPrefix;
    [storyEvts, authorEvts] = await Promise.all([EventProbe.start('story.story.events', { topicPrefix }), EventProbe.start('story.author.events', { topicPrefix })]);
    [ann, bob] = await Promise.all([registerUser(stack, 'Ann'), registerUser(stack, 'Bob')]);
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([storyEvts?.close(), authorEvts?.close()]);
  });

  const create = (user: TestUser, title = 'The Lighthouse', content = TALE) => stack.client.createStory({ title, content }, as(user));

  it('every call needs a valid bearer token; the author comes from the token, never the body', async () => {
    expect(await outcome(stack.client.createStory({ title: 'Anonymous', content: '' }))).toBe('UNAUTHENTICATED:UNAUTHENTICATED');
    expect(await outcome(stack.client.getStory({ storyId: '0190a0d0-0000-7000-8000-000000000001' }, { metadata: { authorization: 'Bearer not.a.jwt' } }))).toBe(
      'UNAUTHENTICATED:INVALID_TOKEN',
    );
    const { story } = await create(ann);
    expect(story).toMatchObject({ title: 'The Lighthouse', content: TALE, authorId: ann.id, language: 'en', status: 'draft', version: 1 });
    expect(story!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(story!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('publishes StoryCreated as a CloudEvent keyed by the story id, without the content', async () => {
    const { story } = await create(ann, 'Evented');
    const event = await storyEvts.waitFor((e) => e.envelope.type === 'storytelling.story.story.created.v1' && e.envelope.subject === story!.id);
    expect(event.key).toBe(story!.id);
    expect(event.topic).toBe(`${stack.storyEnv.KAFKA_TOPIC_PREFIX}story.story.events`);
    expect(event.envelope).toMatchObject({ source: '/storytelling/story', aggregateversion: 1 });
    const data = event.envelope.data as Record<string, unknown>;
    expect(storyEvents.StoryCreated.toJSON(storyEvents.StoryCreated.fromJSON(data))).toEqual(data);
    expect(data).toMatchObject({ storyId: story!.id, authorId: ann.id, title: 'Evented', contentSha256: story!.contentHash });
    expect(JSON.stringify(event.envelope)).not.toContain('lighthouse. The storm');
  });

  it('invalid input is INVALID_ARGUMENT with field errors, never INTERNAL', async () => {
    expect(await outcome(create(ann, 'ab'))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(create(ann, 'Long', 'x'.repeat(200_001)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(stack.client.getStory({ storyId: 'not-a-uuid' }, as(ann)))).toBe('INVALID_ARGUMENT:INVALID_ID');
    try {
      await create(ann, 'ab');
    } catch (err) {
      const md = (err as { metadata: { get(k: string): unknown[] } }).metadata;
      expect(JSON.parse(String(md.get('x-field-errors')[0]))).toEqual([{ field: 'title', message: 'must be 3 to 500 characters' }]);
    }
  });

  it('visibility: a stranger gets NOT_FOUND for a draft (as for an absent id); a published story is readable by anyone signed in', async () => {
    const { story } = await create(ann, 'Private draft');
    expect(await outcome(stack.client.getStory({ storyId: story!.id }, as(ann)))).toBe('ok');
    expect(await outcome(stack.client.getStory({ storyId: story!.id }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    expect(await outcome(stack.client.getStory({ storyId: '0190a0d0-0000-7000-8000-00000000dead' }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    expect(await outcome(stack.client.getAnalysis({ storyId: story!.id }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    expect(await outcome(stack.client.getCharacters({ storyId: story!.id }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    expect(await outcome(stack.client.updateStory({ storyId: story!.id, title: 'Mine now' }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    expect(await outcome(stack.client.archiveStory({ storyId: story!.id }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');

    // Publishing is a later saga; put the row in that state directly.
    await ds.query(`UPDATE stories SET status = 'published', published_at = now() WHERE id = $1`, [story!.id]);
    expect((await stack.client.getStory({ storyId: story!.id }, as(bob))).story!.status).toBe('published');
    // readable, but not Bob's to change
    expect(await outcome(stack.client.updateStory({ storyId: story!.id, title: 'Mine now' }, as(bob)))).toBe('PERMISSION_DENIED:NOT_STORY_AUTHOR');
    expect(await outcome(stack.client.requestAnalysis({ storyId: story!.id }, as(bob)))).toBe('PERMISSION_DENIED:NOT_STORY_AUTHOR');
  });

  it('update: If-Match version (expected_version) must be current (412 VERSION_CONFLICT); content edits of analysed stories return to draft', async () => {
    const { story } = await create(ann, 'Versioned');
    const v1 = story!.version;
    const { story: titled } = await stack.client.updateStory({ storyId: story!.id, title: 'Versioned, retitled', expectedVersion: v1 }, as(ann));
    expect(titled).toMatchObject({ title: 'Versioned, retitled', version: v1 + 1, status: 'draft' });
    expect(await outcome(stack.client.updateStory({ storyId: story!.id, title: 'Stale', expectedVersion: v1 }, as(ann)))).toBe('FAILED_PRECONDITION:VERSION_CONFLICT');

    await ds.query(`UPDATE stories SET status = 'analyzed' WHERE id = $1`, [story!.id]);
    const { story: retitled } = await stack.client.updateStory({ storyId: story!.id, title: 'Title only' }, as(ann));
    expect(retitled!.status).toBe('analyzed');
    const { story: rewritten } = await stack.client.updateStory({ storyId: story!.id, content: 'A new beginning.' }, as(ann));
    expect(rewritten!.status).toBe('draft');
    expect(rewritten!.contentHash).not.toBe(story!.contentHash);
    const updated = await storyEvts.waitFor(
      (e) => e.envelope.type === 'storytelling.story.story.updated.v1' && e.envelope.subject === story!.id && e.envelope.aggregateversion === rewritten!.version,
    );
    expect(updated.envelope.data).toMatchObject({ changedFields: ['content'], status: 'draft', previousStatus: 'analyzed' });
  });

  it('archive (delete): the author; idempotent; then invisible to others, still visible to the author; no more edits (STORY_ARCHIVED)', async () => {
    const { story } = await create(ann, 'To archive');
    await ds.query(`UPDATE stories SET status = 'published' WHERE id = $1`, [story!.id]);
    expect(await outcome(stack.client.archiveStory({ storyId: story!.id }, as(bob)))).toBe('PERMISSION_DENIED:NOT_STORY_AUTHOR');
    const { story: archived } = await stack.client.archiveStory({ storyId: story!.id }, as(ann));
    expect(archived!.status).toBe('archived');
    expect((await stack.client.archiveStory({ storyId: story!.id }, as(ann))).story!.version).toBe(archived!.version);
    expect(await outcome(stack.client.getStory({ storyId: story!.id }, as(bob)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    expect((await stack.client.getStory({ storyId: story!.id }, as(ann))).story!.status).toBe('archived');
    expect(await outcome(stack.client.updateStory({ storyId: story!.id, title: 'Revived' }, as(ann)))).toBe('ALREADY_EXISTS:STORY_ARCHIVED');
    expect(await outcome(stack.client.requestAnalysis({ storyId: story!.id }, as(ann)))).toBe('ALREADY_EXISTS:STORY_ARCHIVED');
    await storyEvts.waitFor((e) => e.envelope.type === 'storytelling.story.story.archived.v1' && e.envelope.subject === story!.id);
  });

  it('an admin archives anybody’s story (without seeing it otherwise)', async () => {
    const { story } = await create(bob, 'Moderated');
    const root = await stack.identityClient.login(stack.superAdmin);
    const admin: TestUser = { id: root.user!.id, token: root.accessToken, displayName: 'root' };
    expect(await outcome(stack.client.getStory({ storyId: story!.id }, as(admin)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    const { story: archived } = await stack.client.archiveStory({ storyId: story!.id }, as(admin));
    expect(archived!.status).toBe('archived');
    const event = await storyEvts.waitFor((e) => e.envelope.type === 'storytelling.story.story.archived.v1' && e.envelope.subject === story!.id);
    expect(event.envelope.data).toMatchObject({ authorId: bob.id, archivedBy: admin.id, previousStatus: 'draft' });
  });

  it('lists: own stories in every status but archived, plus everybody’s published ones, newest first', async () => {
    const carol = await registerUser(stack, 'Carol');
    const dave = await registerUser(stack, 'Dave');
    const mine1 = (await create(carol, 'Carol one')).story!;
    const theirs = (await create(dave, 'Dave draft')).story!;
    const theirsPublished = (await create(dave, 'Dave published')).story!;
    const mine2 = (await create(carol, 'Carol two')).story!;
    const mineArchived = (await create(carol, 'Carol archived')).story!;
    await ds.query(`UPDATE stories SET status = 'published' WHERE id = $1`, [theirsPublished.id]);
    await stack.client.archiveStory({ storyId: mineArchived.id }, as(carol));

    const ids = async (req: { authorId?: string; status?: string }) => {
      const res = await stack.client.listStories({ ...req, page: { limit: 100, cursor: '' } }, as(carol));
      return res.stories.map((s) => s.id);
    };
    const all = await ids({});
    expect(all).toEqual(expect.arrayContaining([mine1.id, mine2.id, theirsPublished.id]));
    expect(all).not.toContain(theirs.id);
    expect(all).not.toContain(mineArchived.id);
    // newest first: (created_at, id) descending (ids are UUIDv7, so the id breaks same-millisecond ties)
    const newestFirst = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
      b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
    expect(await ids({ authorId: carol.id })).toEqual([mine2, mine1].sort(newestFirst).map((s) => s.id));
    expect(await ids({ authorId: carol.id, status: 'archived' })).toEqual([mineArchived.id]);
    expect(await ids({ authorId: dave.id })).toEqual([theirsPublished.id]);
    expect(await ids({ authorId: dave.id, status: 'draft' })).toEqual([]);
    const summary = (await stack.client.listStories({ authorId: carol.id, page: { limit: 1, cursor: '' } }, as(carol))).stories[0]!;
    expect(summary).toMatchObject({ excerpt: TALE, contentLength: TALE.length, authorId: carol.id, status: 'draft' });
    expect(summary).not.toHaveProperty('content');
    expect(await outcome(stack.client.listStories({ page: { limit: 101, cursor: '' } }, as(carol)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(stack.client.listStories({ page: { limit: 5, cursor: 'garbage!' } }, as(carol)))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    // A cursor whose time PostgreSQL cannot hold is refused before any SQL (issue 12, item 2).
    const outOfRange = Buffer.from(JSON.stringify(['-005000-01-01T00:00:00.000Z', '0190a0d0-0000-7000-8000-0000000000aa'])).toString('base64url');
    expect(await outcome(stack.client.listStories({ page: { limit: 5, cursor: outOfRange } }, as(carol)))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    expect(await outcome(stack.client.listStories({ status: 'lost', page: { limit: 5, cursor: '' } }, as(carol)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
  });

  it('follow / unfollow: idempotent, not yourself, unknown author 404; events on story.author.events; followers list for the author only', async () => {
    const eve = await registerUser(stack, 'Eve');
    const fans = await Promise.all(['Fay', 'Gus', 'Hal'].map((n) => registerUser(stack, n)));
    for (const fan of fans) await stack.client.followAuthor({ authorId: eve.id }, as(fan));
    await stack.client.followAuthor({ authorId: eve.id }, as(fans[0]!)); // again: nothing new
    expect(await outcome(stack.client.followAuthor({ authorId: eve.id }, as(eve)))).toBe('FAILED_PRECONDITION:CANNOT_FOLLOW_SELF');
    expect(await outcome(stack.client.followAuthor({ authorId: '0190a0d0-0000-7000-8000-00000000beef' }, as(eve)))).toBe('NOT_FOUND:AUTHOR_NOT_FOUND');

    const expected: Array<{ follower_id: string; display_name: string }> = await ds.query(
      `SELECT f.follower_id, a.display_name FROM story_followers f JOIN authors a ON a.id = f.follower_id
        WHERE f.author_id = $1 ORDER BY f.followed_at DESC, f.follower_id DESC`,
      [eve.id],
    );
    expect(expected.map((r) => r.display_name).sort()).toEqual(['Fay', 'Gus', 'Hal']);
    const first = await stack.client.listFollowers({ authorId: eve.id, page: { limit: 2, cursor: '' } }, as(eve));
    expect(first.page!.nextCursor).not.toBe('');
    const second = await stack.client.listFollowers({ authorId: eve.id, page: { limit: 2, cursor: first.page!.nextCursor } }, as(eve));
    expect(second.page!.nextCursor).toBe('');
    expect([...first.followers, ...second.followers].map((f) => [f.userId, f.displayName])).toEqual(expected.map((r) => [r.follower_id, r.display_name]));
    expect(await outcome(stack.client.listFollowers({ authorId: eve.id, page: { limit: 2, cursor: '' } }, as(fans[0]!)))).toBe(
      'PERMISSION_DENIED:FOLLOWERS_PRIVATE',
    );

    await stack.client.unfollowAuthor({ authorId: eve.id }, as(fans[1]!));
    await stack.client.unfollowAuthor({ authorId: eve.id }, as(fans[1]!)); // again: nothing
    const after = await stack.client.listFollowers({ authorId: eve.id, page: { limit: 10, cursor: '' } }, as(eve));
    expect(after.followers.map((f) => f.displayName).sort()).toEqual(['Fay', 'Hal']);

    await waitUntil(() => authorEvts.received.filter((e) => e.envelope.subject === eve.id).length >= 4, 20_000);
    const mine = authorEvts.received.filter((e) => e.envelope.subject === eve.id);
    expect(mine.map((e) => [e.envelope.type, e.envelope.aggregateversion])).toEqual([
      ['storytelling.story.author.followed.v1', 1],
      ['storytelling.story.author.followed.v1', 2],
      ['storytelling.story.author.followed.v1', 3],
      ['storytelling.story.author.unfollowed.v1', 4],
    ]);
    expect(mine[3]!.envelope.data).toEqual({ authorId: eve.id, followerId: fans[1]!.id, unfollowedAt: expect.any(String) });
    expect(mine.every((e) => e.key === eve.id)).toBe(true);
  });

  it('concurrent follows of one author all succeed (the author row serialises them)', async () => {
    const star = await registerUser(stack, 'Star');
    const fans = await Promise.all(Array.from({ length: 8 }, (_, i) => registerUser(stack, `Fan${i}`)));
    await Promise.all(fans.map((f) => stack.client.followAuthor({ authorId: star.id }, as(f))));
    const list = await stack.client.listFollowers({ authorId: star.id, page: { limit: 100, cursor: '' } }, as(star));
    expect(list.followers).toHaveLength(8);
    const [{ version }] = (await ds.query(`SELECT version FROM authors WHERE id = $1`, [star.id])) as Array<{ version: number }>;
    expect(version).toBe(8);
  });

  it('analysis through the worker: 202 analyzing → analyzed; GetAnalysis has characters and emotions; StoryAnalyzed + CharactersExtracted', async () => {
    const { story } = await create(ann, 'Analysed tale');
    const calls = stack.analyser.calls.length;
    const requested = await stack.client.requestAnalysis({ storyId: story!.id }, as(ann));
    expect(requested.analysis!.status).toBe('analyzing');
    expect(requested.story!.status).toBe('analyzing');
    const done = await waitUntil(async () => {
      const { analysis } = await stack.client.getAnalysis({ storyId: story!.id }, as(ann));
      return analysis!.status === 'analyzed' ? analysis : undefined;
    }, 20_000);
    expect(stack.analyser.calls.length).toBe(calls + 1);
    expect(done!.contentHash).toBe(story!.contentHash);
    expect(done!.characters.map((c) => [c.name, c.role])).toEqual([
      ['Mira', 'protagonist'],
      ['The Storm', 'antagonist'],
    ]);
    expect(done!.emotions[0]).toMatchObject({ emotion: 'fear', intensity: 7, segmentIndex: 0 });
    expect((await stack.client.getStory({ storyId: story!.id }, as(ann))).story!.status).toBe('analyzed');
    const chars = await stack.client.getCharacters({ storyId: story!.id }, as(ann));
    expect(chars.characters.map((c) => c.id)).toEqual(done!.characters.map((c) => c.id));

    const extracted = await storyEvts.waitFor((e) => e.envelope.type === 'storytelling.story.story.characters_extracted.v1' && e.envelope.subject === story!.id);
    expect((extracted.envelope.data as { characters: Array<{ characterId: string }> }).characters.map((c) => c.characterId)).toEqual(
      done!.characters.map((c) => c.id),
    );
    const analyzed = await storyEvts.waitFor((e) => e.envelope.type === 'storytelling.story.story.analyzed.v1' && e.envelope.subject === story!.id);
    expect(analyzed.envelope.data).toMatchObject({ characterCount: 2, emotionCount: 3, dominantEmotion: 'fear' });

    // unchanged content: the stored analysis is reused at once, no analyser call
    await stack.client.updateStory({ storyId: story!.id, content: 'Something else entirely.' }, as(ann));
    expect((await stack.client.getAnalysis({ storyId: story!.id }, as(ann))).analysis!.status).toBe('stale');
    await stack.client.updateStory({ storyId: story!.id, content: TALE }, as(ann));
    const before = stack.analyser.calls.length;
    const reused = await stack.client.requestAnalysis({ storyId: story!.id }, as(ann));
    expect(reused.analysis!.status).toBe('analyzed');
    expect(reused.story!.status).toBe('analyzed');
    expect(reused.analysis!.characters.map((c) => c.id)).toEqual(done!.characters.map((c) => c.id));
    expect(stack.analyser.calls.length).toBe(before);
  });
});
