/**
 * End to end: the gateway in process in front of the REAL identity and story services (booted in
 * process on free ports, migrated, with real PostgreSQL and Kafka from the test harness, story
 * with its default local analyser), driven over HTTP. Every story route of the gateway.
 *
 * Not covered here: published stories (readable by everyone) need the publishing saga, which
 * is a later issue; visibility is tested for drafts, analysed and archived stories only.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { waitUntil } from '@storytelling/testing';
import { startStoryStack, type StoryStack } from '../support/story-stack.js';
import { authorized, expectProblem, fieldsOf, registerMember, type Member, type Res } from '../support/http.js';

const TALE =
  'Mara climbed the lighthouse stairs while the storm howled. Her brother Tomas waited below, terrified of the black water. ' +
  '"I will not let the light die," Mara said, and she felt a fierce joy as the great lamp caught. ' +
  'Far out at sea, old Captain Ruiz wept with relief when he saw the beam. Tomas was angry that she had gone up alone, ' +
  'but he hugged her when she came down, and they laughed together in the warm kitchen.';

describe('gateway ⇄ story (real identity and story services, Postgres, Kafka)', () => {
  let stack: StoryStack;
  let http: StoryStack['http'];
  let alice: Member;
  let bob: Member;

  beforeAll(async () => {
    stack = await startStoryStack({ storyEnv: { STORY_ANALYSIS_POLL_MS: '100' }, gatewayEnv: { GRPC_DEADLINE_MS: '5000' } });
    http = stack.http;
    alice = await newMember('Alice');
    bob = await newMember('Bob');
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });

  const newMember = (name: string): Promise<Member> => registerMember(http, name, { displayName: `${name} ${randomBytes(3).toString('hex')}` });
  const as = (m: Member) => authorized(http, m.token);

  async function createStory(m: Member, title: string, content = TALE): Promise<{ id: string; version: number }> {
    const res = await as(m).post('/api/v1/stories', { title, content });
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  }

  it('create → get (ETag) → list → update with If-Match (428 without, 412 stale) → archive (204) → archived is 409 to edit', async () => {
    const created = await as(alice).post('/api/v1/stories', { title: '  The Lighthouse  ', content: TALE, language: 'en-GB' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      title: 'The Lighthouse',
      content: TALE,
      authorId: alice.id,
      language: 'en-GB',
      status: 'draft',
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
    });
    const id = created.body.id as string;
    expect(created.headers.location).toBe(`/api/v1/stories/${id}`);
    expect(created.headers.etag).toBe('"1"');

    const got = await as(alice).get(created.headers.location!);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.headers.etag).toBe('"1"');

    const list = await as(alice).get(`/api/v1/stories?authorId=${alice.id}&status=draft&limit=100`);
    expect(list.status).toBe(200);
    const item = (list.body.items as { id: string }[]).find((s) => s.id === id);
    expect(item).toEqual({
      id,
      title: 'The Lighthouse',
      authorId: alice.id,
      language: 'en-GB',
      status: 'draft',
      version: 1,
      excerpt: expect.any(String),
      contentLength: [...TALE].length,
      createdAt: created.body.createdAt,
      updatedAt: created.body.updatedAt,
    });

    const excerpt = (item as unknown as { excerpt: string }).excerpt;
    expect(excerpt.length).toBeLessThanOrEqual(280);
    expect(TALE.startsWith(excerpt.replace(/…$/, ''))).toBe(true);

    expectProblem(await as(alice).patch(`/api/v1/stories/${id}`, { title: 'The Lighthouse Keeper' }), 428, 'PRECONDITION_REQUIRED');
    const updated = await as(alice).patch(`/api/v1/stories/${id}`, { title: 'The Lighthouse Keeper' }, got.headers.etag);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, title: 'The Lighthouse Keeper', content: TALE, version: 2 });
    expect(updated.headers.etag).toBe('"2"');
    const stale = await as(alice).patch(`/api/v1/stories/${id}`, { content: 'Someone else wrote this.' }, '"1"');
    expectProblem(stale, 412, 'VERSION_CONFLICT');
    expect((await as(alice).get(`/api/v1/stories/${id}`)).body.content).toBe(TALE);

    expect((await as(alice).delete(`/api/v1/stories/${id}`, '"1"')).status).toBe(412);
    const archived = await as(alice).delete(`/api/v1/stories/${id}`);
    expect(archived.status).toBe(204);
    expect((await as(alice).delete(`/api/v1/stories/${id}`)).status).toBe(204); // idempotent
    const after = await as(alice).get(`/api/v1/stories/${id}`);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('archived');
    expectProblem(await as(alice).patch(`/api/v1/stories/${id}`, { title: 'Again' }, after.headers.etag), 409, 'STORY_ARCHIVED');
    // Archived stories leave the default list; status=archived brings them back.
    const defaultList = await as(alice).get(`/api/v1/stories?authorId=${alice.id}&limit=100`);
    expect((defaultList.body.items as { id: string }[]).map((s) => s.id)).not.toContain(id);
    const archivedList = await as(alice).get(`/api/v1/stories?authorId=${alice.id}&status=archived`);
    expect((archivedList.body.items as { id: string }[]).map((s) => s.id)).toContain(id);
  });

  it("a stranger's draft is 404 STORY_NOT_FOUND for every route, exactly like an absent id", async () => {
    const { id } = await createStory(alice, "Alice's secret");
    const absent = uuidv7();
    for (const target of [id, absent]) {
      expectProblem(await as(bob).get(`/api/v1/stories/${target}`), 404, 'STORY_NOT_FOUND');
      expectProblem(await as(bob).patch(`/api/v1/stories/${target}`, { title: 'Mine now' }, '"1"'), 404, 'STORY_NOT_FOUND');
      expectProblem(await as(bob).delete(`/api/v1/stories/${target}`), 404, 'STORY_NOT_FOUND');
      expectProblem(await as(bob).post(`/api/v1/stories/${target}/analysis`), 404, 'STORY_NOT_FOUND');
      expectProblem(await as(bob).get(`/api/v1/stories/${target}/analysis`), 404, 'STORY_NOT_FOUND');
    }
    // Bob's lists show none of Alice's drafts.
    const byAlice = await as(bob).get(`/api/v1/stories?authorId=${alice.id}`);
    expect(byAlice.status).toBe(200);
    expect(byAlice.body.items).toEqual([]);
    const all = await as(bob).get('/api/v1/stories?limit=100');
    expect((all.body.items as { authorId: string }[]).every((s) => s.authorId === bob.id)).toBe(true);
    // And Alice's story is untouched.
    expect((await as(alice).get(`/api/v1/stories/${id}`)).body).toMatchObject({ title: "Alice's secret", version: 1, status: 'draft' });
  });

  it('paginates newest first without overlap or gaps while new stories are inserted', async () => {
    const writer = await newMember('Pager');
    const initial: string[] = [];
    for (let i = 0; i < 23; i++) initial.push((await createStory(writer, `Page story ${i}`, `Story number ${i}.`)).id);

    const seen: string[] = [];
    const inserted: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      // A new story lands between every two page reads (it is newer than the cursor, so it
      // belongs before page one and must not shift or repeat anything).
      const [page, fresh]: [Res, { id: string }] = await Promise.all([
        as(writer).get(`/api/v1/stories?authorId=${writer.id}&limit=5${cursor ? `&cursor=${cursor}` : ''}`),
        createStory(writer, `Inserted during paging ${pages}`, 'New.'),
      ]);
      inserted.push(fresh.id);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(5);
      seen.push(...(page.body.items as { id: string }[]).map((s) => s.id));
      cursor = page.body.nextCursor as string | null;
      pages += 1;
    } while (cursor !== null && pages < 20);

    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length); // no overlap
    for (const id of initial) expect(seen).toContain(id); // no gaps
    // Newest first: the initial stories appear in reverse creation order.
    const order = seen.filter((id) => initial.includes(id));
    expect(order).toEqual([...initial].reverse());

    const badCursor = await as(writer).get(`/api/v1/stories?cursor=${Buffer.from('["nope"]').toString('base64url')}`);
    expectProblem(badCursor, 400, 'INVALID_CURSOR');
    expect(fieldsOf(badCursor)).toEqual({ cursor: expect.any(String) });
  }, 60_000);

  it('analysis: 202 with Location and the pending analysis, then analyzed with characters and emotions (local analyser)', async () => {
    const { id } = await createStory(alice, 'Storm night');
    expect((await as(alice).get(`/api/v1/stories/${id}/analysis`)).body.status).toBe('none');
    const accepted = await as(alice).post(`/api/v1/stories/${id}/analysis`);
    expect(accepted.status).toBe(202);
    expect(accepted.headers.location).toBe(`/api/v1/stories/${id}/analysis`);
    expect(['analyzing', 'analyzed']).toContain(accepted.body.status);
    expect(accepted.body).toEqual(expect.objectContaining({ characters: expect.any(Array), emotions: expect.any(Array) }));

    let analysis: Res | undefined;
    await waitUntil(
      async () => {
        analysis = await as(alice).get(accepted.headers.location!);
        expect(analysis.status).toBe(200);
        return analysis.body.status === 'analyzed' || analysis.body.status === 'failed';
      },
      45_000,
      200,
    );
    expect(analysis!.body).toMatchObject({ status: 'analyzed', completedAt: expect.stringMatching(/Z$/) });
    const { characters, emotions } = analysis!.body as {
      characters: { id: string; name: string; role: string; traits: string[]; description: string; personality: string }[];
      emotions: { emotion: string; intensity: number; context: string; quote: string; segmentIndex: number }[];
    };
    expect(characters.length).toBeGreaterThan(0);
    expect(characters.map((c) => c.name)).toEqual(expect.arrayContaining(['Mara']));
    for (const c of characters) {
      expect(c).toEqual({ id: expect.any(String), name: expect.any(String), description: expect.any(String), personality: expect.any(String), role: expect.stringMatching(/^(protagonist|antagonist|supporting|narrator|other)$/), traits: expect.any(Array) });
    }
    expect(emotions.length).toBeGreaterThan(0);
    for (const e of emotions) {
      expect(e.intensity).toBeGreaterThanOrEqual(1);
      expect(e.intensity).toBeLessThanOrEqual(10);
      expect(e.segmentIndex).toBeGreaterThanOrEqual(0);
      expect(e.emotion).toMatch(/^(joy|sadness|anger|fear|surprise|disgust|contempt|love|curiosity|excitement|neutral)$/);
    }
    const analysed = await as(alice).get(`/api/v1/stories/${id}`);
    expect(analysed.body.status).toBe('analyzed');

    // Editing the content returns the story to draft; the analysis is then stale.
    const edited = await as(alice).patch(`/api/v1/stories/${id}`, { content: `${TALE} The end.` }, analysed.headers.etag);
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('draft');
    expect((await as(alice).get(`/api/v1/stories/${id}/analysis`)).body.status).toBe('stale');
    // The old content again: the stored analysis of that hash is reused at once.
    const back = await as(alice).patch(`/api/v1/stories/${id}`, { content: TALE }, edited.headers.etag);
    const reused = await as(alice).post(`/api/v1/stories/${id}/analysis`);
    expect(reused.status).toBe(202);
    expect(reused.body.status).toBe('analyzed');
    expect(back.status).toBe(200);
  }, 60_000);

  it('follow and unfollow are idempotent; not yourself; followers are the author\'s own, with display names from identity events', async () => {
    const carol = await newMember('Carol');
    // story learns about Carol from her UserRegistered event (identity → Kafka → author ACL);
    // until it has, following her is 503 with Retry-After (her id is minutes old: ADR 0023), never 404.
    await waitUntil(async () => {
      const res = await as(bob).post(`/api/v1/authors/${carol.id}/follow`);
      if (res.status !== 204) {
        expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBeDefined();
      }
      return res.status === 204;
    }, 30_000, 100);
    expect((await as(bob).post(`/api/v1/authors/${carol.id}/follow`)).status).toBe(204);
    expect((await as(alice).post(`/api/v1/authors/${carol.id}/follow`)).status).toBe(204);
    expectProblem(await as(carol).post(`/api/v1/authors/${carol.id}/follow`), 422, 'CANNOT_FOLLOW_SELF');
    expectProblem(await as(bob).post(`/api/v1/authors/${uuidv7(Date.now() - 3_600_000)}/follow`), 404, 'AUTHOR_NOT_FOUND');
    expectProblem(await as(bob).post(`/api/v1/authors/${uuidv7()}/follow`), 503, 'SERVICE_UNAVAILABLE'); // too new to tell

    // Names come from UserRegistered (identity → Kafka → story's author ACL): wait for them.
    let followers: Res | undefined;
    await waitUntil(
      async () => {
        followers = await as(carol).get(`/api/v1/authors/${carol.id}/followers`);
        expect(followers.status).toBe(200);
        return (followers.body.items as { displayName: string | null }[]).every((f) => f.displayName !== null) && followers.body.items.length === 2;
      },
      30_000,
      200,
    );
    expect(followers!.body).toEqual({
      items: [
        { id: alice.id, displayName: alice.displayName, followedAt: expect.any(String) },
        { id: bob.id, displayName: bob.displayName, followedAt: expect.any(String) },
      ],
      nextCursor: null,
    });
    const paged = await as(carol).get(`/api/v1/authors/${carol.id}/followers?limit=1`);
    expect(paged.body.items).toHaveLength(1);
    expect(typeof paged.body.nextCursor).toBe('string');
    const rest = await as(carol).get(`/api/v1/authors/${carol.id}/followers?limit=1&cursor=${paged.body.nextCursor}`);
    expect(rest.body.items.map((f: { id: string }) => f.id)).toEqual([bob.id]);

    expectProblem(await as(bob).get(`/api/v1/authors/${carol.id}/followers`), 403, 'FOLLOWERS_PRIVATE');

    expect((await as(bob).delete(`/api/v1/authors/${carol.id}/follow`)).status).toBe(204);
    expect((await as(bob).delete(`/api/v1/authors/${carol.id}/follow`)).status).toBe(204);
    const left = await as(carol).get(`/api/v1/authors/${carol.id}/followers`);
    expect(left.body.items.map((f: { id: string }) => f.id)).toEqual([alice.id]);
  }, 60_000);

  it('answers 400 with field errors for bad bodies, params and queries (before calling story), 413 above the story body limit', async () => {
    const bad = await as(alice).post('/api/v1/stories', { title: 'ab', content: 5, mood: 'happy' });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(bad)).toEqual({ title: 'must be 3..500 characters (after trimming)', content: 'must be a string', mood: 'is not an allowed field' });
    expect(fieldsOf(await as(alice).get('/api/v1/stories/123'))).toEqual({ id: 'must be a UUID' });
    expect(fieldsOf(await as(alice).get('/api/v1/stories?limit=0&status=lost'))).toEqual({
      limit: 'must be an integer between 1 and 100',
      status: 'must be one of draft, analyzing, analyzed, published, archived',
    });
    expect(fieldsOf(await as(alice).patch(`/api/v1/stories/${uuidv7()}`, { title: 'Fine title' }, 'W/"1"'))).toEqual({ 'If-Match': expect.any(String) });
    expect(fieldsOf(await as(alice).post('/api/v1/authors/nobody/follow'))).toEqual({ id: 'must be a UUID' });
    expect(fieldsOf(await as(alice).get(`/api/v1/authors/${alice.id}/followers?cursor=%25%25`))).toEqual({ cursor: 'is not a cursor issued by this API' });

    // The longest content there is travels through gateway, gRPC and Postgres intact.
    const longest = 'ä'.repeat(200_000);
    const big = await as(alice).post('/api/v1/stories', { title: 'Very long', content: longest });
    expect(big.status).toBe(201);
    expect((await as(alice).get(`/api/v1/stories/${big.body.id}`)).body.content).toBe(longest);
    expectProblem(await as(alice).post('/api/v1/stories', { title: 'Too long', content: 'a'.repeat(1_100_000) }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await request(http).get('/api/v1/stories'), 401, 'UNAUTHENTICATED');
  }, 30_000);

  it('stays ready while story is down (story is optional for readiness) and answers 503 on story routes', async () => {
    // Readiness is eventual: peers' gRPC health follows their own readiness once it has been read.
    // identity is the gateway's one required peer; subscription, payments and notification are
    // not started here and, being optional, do not make the gateway unready.
    const ready = await waitUntil(async () => {
      const res = await request(http).get('/ready');
      return res.status === 200 && res.body?.checks?.story?.ok === true ? res : undefined;
    }, 15_000);
    expect(ready.body.checks).toMatchObject({ identity: { ok: true }, story: { ok: true, optional: true }, payments: { optional: true } });
    const { id } = await createStory(alice, 'Before the outage');
    await stack.story.close();
    const down = await as(alice).get(`/api/v1/stories/${id}`);
    expectProblem(down, 503, 'SERVICE_UNAVAILABLE');
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    const stillReady = await waitUntil(async () => {
      const res = await request(http).get('/ready');
      return res.body?.checks?.story?.ok === false ? res : undefined;
    }, 15_000);
    expect(stillReady.status).toBe(200);
    expect((await as(alice).get('/api/v1/users/me')).status).toBe(200); // the rest of the API still works
  }, 30_000);
});
