/**
 * The story routes' HTTP layer against a fake StoryPort: validation of every body, query and
 * path parameter, If-Match/ETag, Location, status codes, body limits, error mapping, OpenAPI.
 * The real rules (visibility, versions, analysis) are covered by gateway-story.e2e.test.ts.
 */
import request from 'supertest';
import { encodeCursor, uuidv7 } from '@storytelling/kernel';
import { fakeGatewayWithMember, type FakeGateway } from '../support/app.js';
import { grpcError } from '../support/fake-identity.js';
import { expectProblem, fieldsOf } from '../support/http.js';

describe('story routes (fake story service)', () => {
  let gw: FakeGateway;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    ({ gw, userId, token } = await fakeGatewayWithMember());
  });
  afterAll(() => gw.app.close());
  beforeEach(() => gw.story.reset());

  const auth = (r: request.Test) => r.set('authorization', `Bearer ${token}`);
  const post = (path: string, body?: unknown) => auth(request(gw.server).post(path)).send(body as object);
  const get = (path: string) => auth(request(gw.server).get(path));
  const patch = (path: string, body: unknown, ifMatch?: string) => {
    const r = auth(request(gw.server).patch(path));
    if (ifMatch !== undefined) r.set('if-match', ifMatch);
    return r.send(body as object);
  };
  const del = (path: string) => auth(request(gw.server).delete(path));

  async function newStory(title = 'A fine title'): Promise<{ id: string; version: number }> {
    const res = await post('/api/v1/stories', { title, content: 'Once upon a time.' });
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  }

  describe('POST /stories', () => {
    it('answers 201 with the story, Location and ETag, forwarding the caller token', async () => {
      const res = await post('/api/v1/stories', { title: '  The Keeper  ', content: 'Mara kept the light.', language: 'pt-BR' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        title: 'The Keeper',
        content: 'Mara kept the light.',
        authorId: userId,
        language: 'pt-BR',
        status: 'draft',
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(res.headers.location).toBe(`/api/v1/stories/${res.body.id}`);
      expect(res.headers.etag).toBe('"1"');
      const call = gw.story.calls.find((c) => c.method === 'createStory')!;
      expect(call.args[0]).toEqual({ title: '  The Keeper  ', content: 'Mara kept the light.', language: 'pt-BR' });
      expect(call.context?.bearerToken).toBe(token);
    });

    it('lists every field problem: missing, wrong types, lengths in code points after trimming, language', async () => {
      const missing = await post('/api/v1/stories', {});
      expectProblem(missing, 400, 'VALIDATION_FAILED');
      expect(Object.keys(fieldsOf(missing)).sort()).toEqual(['content', 'title']);

      const bad = await post('/api/v1/stories', { title: 42, content: null, language: 'not a tag' });
      expect(fieldsOf(bad)).toEqual({ title: 'must be a string', content: 'must be a string', language: 'must be a BCP 47 language tag such as en or pt-BR' });

      expect(fieldsOf(await post('/api/v1/stories', { title: '  ab  ', content: '' }))).toEqual({ title: 'must be 3..500 characters (after trimming)' });
      expect(fieldsOf(await post('/api/v1/stories', { title: '     ', content: '' }))).toEqual({ title: 'must be 3..500 characters (after trimming)' });
      expect(fieldsOf(await post('/api/v1/stories', { title: 'x'.repeat(501), content: '' }))).toEqual({ title: 'must be 3..500 characters (after trimming)' });
      // 500 emoji are 1000 UTF-16 units but 500 characters: accepted.
      expect((await post('/api/v1/stories', { title: '📖'.repeat(500), content: '' })).status).toBe(201);
      expect(gw.story.calls.filter((c) => c.method === 'createStory')).toHaveLength(1);
    });

    it('accepts content of 200,000 characters (above BODY_LIMIT) and refuses one more', async () => {
      const ok = await post('/api/v1/stories', { title: 'Long one', content: 'é'.repeat(200_000) });
      expect(ok.status).toBe(201);
      const tooLong = await post('/api/v1/stories', { title: 'Long one', content: 'a'.repeat(200_001) });
      expectProblem(tooLong, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(tooLong)).toEqual({ content: 'must be at most 200000 characters' });
    });

    it('keeps the 1 MB limit for story bodies and BODY_LIMIT (100 kB) elsewhere', async () => {
      const huge = await post('/api/v1/stories', { title: 'Huge', content: 'a'.repeat(1_100_000) });
      expectProblem(huge, 413, 'PAYLOAD_TOO_LARGE');
      const profile = await auth(request(gw.server).patch('/api/v1/users/me')).send({ displayName: 'a'.repeat(150_000) });
      expectProblem(profile, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('rejects unknown fields, prototype keys, non-objects and query parameters', async () => {
      expect(fieldsOf(await post('/api/v1/stories', { title: 'Fine title', content: '', status: 'published' }))).toEqual({ status: 'is not an allowed field' });
      const proto = await auth(request(gw.server).post('/api/v1/stories')).set('content-type', 'application/json').send('{"title":"Fine title","content":"","__proto__":{"x":1}}');
      expect(proto.body.errors).toEqual([{ field: '__proto__', message: 'is not an allowed field' }]);
      expectProblem(await post('/api/v1/stories', [1, 2]), 400, 'VALIDATION_FAILED');
      expect(fieldsOf(await post('/api/v1/stories?draft=1', { title: 'Fine title', content: '' }))).toEqual({ draft: 'is not an allowed field' });
      expect(gw.story.calls).toHaveLength(0);
    });

    it('needs a token', async () => {
      const res = await request(gw.server).post('/api/v1/stories').send({ title: 'Fine title', content: '' });
      expectProblem(res, 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET /stories', () => {
    it('passes filters and the default page size; answers {items, nextCursor}', async () => {
      await newStory();
      const cursor = encodeCursor({ at: new Date('2026-01-02T03:04:05.678Z'), id: uuidv7() });
      const res = await get(`/api/v1/stories?authorId=${userId}&status=draft&cursor=${cursor}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(res.body.items[0]).toEqual(expect.objectContaining({ excerpt: expect.any(String), contentLength: expect.any(Number) }));
      expect(res.body.items[0].content).toBeUndefined();
      const call = gw.story.calls.find((c) => c.method === 'listStories')!;
      expect(call.args[0]).toEqual({ limit: 20, cursor, authorId: userId, status: 'draft' });
      await get('/api/v1/stories?limit=100');
      expect(gw.story.calls.at(-1)!.args[0]).toEqual({ limit: 100 });
    });

    it('validates limit, status, authorId, cursor and unknown parameters', async () => {
      const cases: [string, Record<string, string>][] = [
        ['limit=0', { limit: 'must be an integer between 1 and 100' }],
        ['limit=101', { limit: 'must be an integer between 1 and 100' }],
        ['limit=abc', { limit: 'must be an integer between 1 and 100' }],
        ['limit=2.5', { limit: 'must be an integer between 1 and 100' }],
        ['limit=-1', { limit: 'must be an integer between 1 and 100' }],
        ['limit=1&limit=2', { limit: 'must be an integer between 1 and 100' }],
        ['status=deleted', { status: 'must be one of draft, analyzing, analyzed, published, archived' }],
        ['status=', { status: 'must be one of draft, analyzing, analyzed, published, archived' }],
        ['authorId=42', { authorId: 'must be a UUID' }],
        ['cursor=a%20b', { cursor: 'is not a cursor issued by this API' }],
        ['cursor=', { cursor: 'is not a cursor issued by this API' }],
        [`cursor=${'a'.repeat(513)}`, { cursor: 'must be at most 512 characters' }],
        ['sort=title', { sort: 'is not an allowed field' }],
      ];
      for (const [query, fields] of cases) {
        const res = await get(`/api/v1/stories?${query}`);
        expect({ query, status: res.status, code: res.body.code, fields: fieldsOf(res) }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED', fields });
      }
      expect(gw.story.calls).toHaveLength(0);
    });
  });

  describe('GET /stories/:id', () => {
    it('answers the story with ETag; a UUID is required; STORY_NOT_FOUND is 404', async () => {
      const { id } = await newStory();
      const res = await get(`/api/v1/stories/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body.id).toBe(id);
      expect(fieldsOf(await get('/api/v1/stories/not-a-uuid'))).toEqual({ id: 'must be a UUID' });
      const missing = await get(`/api/v1/stories/${uuidv7()}`);
      expectProblem(missing, 404, 'STORY_NOT_FOUND');
      expect(missing.body.title).toBe('Story not found');
      expect(fieldsOf(await get(`/api/v1/stories/${id}?expand=1`))).toEqual({ expand: 'is not an allowed field' });
    });

    it('revalidates with If-None-Match (304)', async () => {
      const { id } = await newStory();
      const res = await get(`/api/v1/stories/${id}`).set('if-none-match', '"1"');
      expect(res.status).toBe(304);
    });
  });

  describe('PATCH /stories/:id', () => {
    it('needs If-Match: 428 PRECONDITION_REQUIRED without it, 400 when malformed', async () => {
      const { id } = await newStory();
      const missing = await patch(`/api/v1/stories/${id}`, { title: 'New title' });
      expectProblem(missing, 428, 'PRECONDITION_REQUIRED');
      for (const bad of ['abc', 'W/"1"', '*', '"0"', '"1", "2"', '"99999999999"', '"-1"']) {
        const res = await patch(`/api/v1/stories/${id}`, { title: 'New title' }, bad);
        expect({ bad, status: res.status, fields: fieldsOf(res) }).toEqual({ bad, status: 400, fields: { 'If-Match': 'must be one entity tag as given in ETag, e.g. "3"' } });
      }
      expect(gw.story.calls.filter((c) => c.method === 'updateStory')).toHaveLength(0);
    });

    it('answers 200 with the new ETag; "N" and N both work; stale is 412 VERSION_CONFLICT', async () => {
      const { id } = await newStory();
      const first = await patch(`/api/v1/stories/${id}`, { title: 'Second title' }, '"1"');
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"2"');
      expect(first.body).toMatchObject({ title: 'Second title', version: 2 });
      expect(gw.story.calls.at(-1)!.args).toEqual([id, { title: 'Second title' }, 1]);
      const bare = await patch(`/api/v1/stories/${id}`, { content: 'New content' }, '2');
      expect(bare.status).toBe(200);
      expect(bare.headers.etag).toBe('"3"');
      const stale = await patch(`/api/v1/stories/${id}`, { title: 'Third title' }, '"1"');
      expectProblem(stale, 412, 'VERSION_CONFLICT');
    });

    it('validates the body: at least one field, same rules as create, no null, no unknown fields', async () => {
      const { id } = await newStory();
      expect(fieldsOf(await patch(`/api/v1/stories/${id}`, {}, '"1"'))).toEqual({ '': 'must contain at least one of title, content' });
      expect(fieldsOf(await patch(`/api/v1/stories/${id}`, { title: null }, '"1"'))).toEqual({ title: 'must be a string' });
      expect(fieldsOf(await patch(`/api/v1/stories/${id}`, { title: 'ab' }, '"1"'))).toEqual({ title: 'must be 3..500 characters (after trimming)' });
      expect(fieldsOf(await patch(`/api/v1/stories/${id}`, { content: 'a'.repeat(200_001) }, '"1"'))).toEqual({ content: 'must be at most 200000 characters' });
      expect(fieldsOf(await patch(`/api/v1/stories/${id}`, { language: 'fr' }, '"1"'))).toEqual({ language: 'is not an allowed field' });
      expect(fieldsOf(await patch('/api/v1/stories/x', { title: 'Fine title' }, '"1"'))).toEqual({ id: 'must be a UUID' });
      // The bigger body limit applies to PATCH /stories/:id too.
      expect((await patch(`/api/v1/stories/${id}`, { content: 'é'.repeat(200_000) }, '"1"')).status).toBe(200);
    });
  });

  describe('DELETE /stories/:id', () => {
    it('answers 204; an If-Match is optional and passed on', async () => {
      const { id } = await newStory();
      const res = await del(`/api/v1/stories/${id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(gw.story.calls.at(-1)!.args).toEqual([id, undefined]);
      expect((await del(`/api/v1/stories/${id}`).set('if-match', '"1"')).status).toBe(204);
      expect(gw.story.calls.at(-1)!.args).toEqual([id, 1]);
      expect(fieldsOf(await del(`/api/v1/stories/${id}`).set('if-match', 'nope'))).toEqual({ 'If-Match': expect.any(String) });
      expect(fieldsOf(await del('/api/v1/stories/123'))).toEqual({ id: 'must be a UUID' });
    });
  });

  describe('analysis', () => {
    it('POST answers 202 with Location and the pending analysis; GET answers it', async () => {
      const { id } = await newStory();
      const res = await post(`/api/v1/stories/${id}/analysis`);
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`/api/v1/stories/${id}/analysis`);
      expect(res.body).toEqual({ status: 'analyzing', characters: [], emotions: [], completedAt: null });
      const done = await get(`/api/v1/stories/${id}/analysis`);
      expect(done.status).toBe(200);
      expect(done.body.characters[0]).toEqual({ id: expect.any(String), name: 'Mara', description: 'a keeper', personality: 'stubborn', role: 'protagonist', traits: ['brave'] });
      expect(done.body.emotions[0]).toEqual({ emotion: 'joy', intensity: 7, context: 'the light', quote: 'It burns!', segmentIndex: 0 });
      expect(fieldsOf(await post('/api/v1/stories/zzz/analysis'))).toEqual({ id: 'must be a UUID' });
      const withBody = await post(`/api/v1/stories/${id}/analysis`, { type: 'full' });
      expect(fieldsOf(withBody)).toEqual({ type: 'is not an allowed field' });
    });
  });

  describe('authors', () => {
    it('follow/unfollow answer 204; following yourself is the service answer (422 CANNOT_FOLLOW_SELF)', async () => {
      const other = uuidv7();
      expect((await post(`/api/v1/authors/${other}/follow`)).status).toBe(204);
      expect((await del(`/api/v1/authors/${other}/follow`)).status).toBe(204);
      const self = await post(`/api/v1/authors/${userId}/follow`);
      expectProblem(self, 422, 'CANNOT_FOLLOW_SELF');
      expect(fieldsOf(await post('/api/v1/authors/me/follow'))).toEqual({ id: 'must be a UUID' });
      expect(fieldsOf(await post(`/api/v1/authors/${other}/follow`, { notify: true }))).toEqual({ notify: 'is not an allowed field' });
    });

    it('lists followers with page parameters; others are refused by the service', async () => {
      const res = await get(`/api/v1/authors/${userId}/followers?limit=5`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
      expect(gw.story.calls.at(-1)!.args).toEqual([userId, { limit: 5 }]);
      expectProblem(await get(`/api/v1/authors/${uuidv7()}/followers`), 403, 'FOLLOWERS_PRIVATE');
      expect(fieldsOf(await get(`/api/v1/authors/${userId}/followers?limit=500`))).toEqual({ limit: 'must be an integer between 1 and 100' });
      expect(fieldsOf(await get(`/api/v1/authors/${userId}/followers?status=draft`))).toEqual({ status: 'is not an allowed field' });
    });
  });

  describe('failures of the story service', () => {
    it('maps its codes and field errors, and UNAVAILABLE to 503 with Retry-After', async () => {
      gw.story.failWith = grpcError(3, 'title is too short', 'VALIDATION_FAILED', [{ field: 'title', message: 'must be 3..500 characters' }]);
      const invalid = await post('/api/v1/stories', { title: 'Fine title', content: '' });
      expectProblem(invalid, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(invalid)).toEqual({ title: 'must be 3..500 characters' });
      gw.story.failWith = grpcError(6, 'the story is archived', 'STORY_ARCHIVED');
      expectProblem(await patch(`/api/v1/stories/${uuidv7()}`, { title: 'Fine title' }, '"1"'), 409, 'STORY_ARCHIVED');
      gw.story.failWith = grpcError(14, 'connect ECONNREFUSED 127.0.0.1:7204');
      const down = await get(`/api/v1/stories/${uuidv7()}`);
      expectProblem(down, 503, 'SERVICE_UNAVAILABLE');
      expect(down.headers['retry-after']).toBe('5');
      expect(JSON.stringify(down.body)).not.toContain('ECONNREFUSED');
    });
  });

  describe('OpenAPI', () => {
    it('documents the story routes with schemas, headers and problems', async () => {
      const doc = (await request(gw.server).get('/openapi.json')).body as {
        paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string } }> }> }>>;
        components: { schemas: Record<string, { additionalProperties?: boolean; properties?: Record<string, unknown>; required?: string[] }> };
      };
      const stories = doc.paths['/api/v1/stories']!;
      expect(stories.post!.responses['201']!.headers).toEqual(expect.objectContaining({ Location: expect.anything(), ETag: expect.anything() }));
      expect(stories.post!.responses['201']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/StoryDto');
      expect(stories.get!.parameters!.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:authorId', 'query:cursor', 'query:limit', 'query:status']);
      const one = doc.paths['/api/v1/stories/{id}']!;
      expect(one.patch!.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'If-Match', required: true })]));
      expect(Object.keys(one.patch!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '412', '428']));
      expect(Object.keys(doc.paths['/api/v1/stories/{id}/analysis']!.post!.responses)).toEqual(expect.arrayContaining(['202']));
      expect(doc.paths['/api/v1/authors/{id}/followers']!.get!.responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/FollowerPageDto');
      expect(doc.components.schemas.CreateStoryBody!.additionalProperties).toBe(false);
      expect(doc.components.schemas.UpdateStoryBody!.additionalProperties).toBe(false);
      expect(doc.components.schemas.CreateStoryBody!.required?.sort()).toEqual(['content', 'title']);
      for (const name of ['StoryDto', 'StorySummaryDto', 'StoryPageDto', 'AnalysisDto', 'CharacterDto', 'EmotionDto', 'FollowerDto']) {
        expect({ name, documented: doc.components.schemas[name] !== undefined }).toEqual({ name, documented: true });
      }
    });
  });
});
