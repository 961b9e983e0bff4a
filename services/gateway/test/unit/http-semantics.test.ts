// What the gateway answered on express and must answer the same on Fastify (ADR 0038): the
// semantics express gave for free (routing, ETag/304, charset, redirects, proxies, metric labels)
// and the gateway rebuilt as Fastify hooks. The server edges (408/431/400) are in input-edges.test.ts.
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { UrlSigner } from '@storytelling/platform';
import { fakeGateway, fakeGatewayWithMember, NO_RATE_LIMITS, TEST_FILES_SECRET, type FakeGateway } from '../support/app.js';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
import { expectProblem } from '../support/http.js';

describe('HTTP semantics carried over from express', () => {
  let gw: FakeGateway;
  let token: string;
  let userId: string;
  const storyId = uuidv7();

  beforeAll(async () => {
    ({ gw, token, userId } = await fakeGatewayWithMember());
    const now = new Date().toISOString();
    gw.story.stories.set(storyId, { id: storyId, title: 'T', content: 'C', authorId: userId, language: 'en', status: 'draft', version: 3, createdAt: now, updatedAt: now });
  });
  afterAll(async () => {
    await gw.app.close();
  });

  const get = (path: string) => request(gw.server).get(path).set('authorization', `Bearer ${token}`);

  describe('routing', () => {
    it('matches paths case-insensitively and with a trailing slash', async () => {
      expect((await get(`/API/V1/Stories/${storyId}/`)).status).toBe(200);
    });

    it('validates a very long path parameter (400), it is not refused by the router (414)', async () => {
      const res = await get(`/api/v1/stories/${'x'.repeat(300)}`);
      expectProblem(res, 400, 'VALIDATION_FAILED');
    });

    it('names the path segment that does not decode, with the edge headers', async () => {
      const res = await get('/api/v1/users/%E0%A4%A');
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.detail).toBe("Failed to decode param '%E0%A4%A'");
      expect(res.headers['x-correlation-id']).toBe(res.body.correlationId);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('answers 404, not 405, for another method on a docs asset (files, not routes)', async () => {
      expect((await request(gw.server).get('/docs/swagger-ui.css')).status).toBe(200);
      expectProblem(await request(gw.server).post('/docs/swagger-ui.css'), 404, 'NOT_FOUND');
      expectProblem(await request(gw.server).post('/openapi.json'), 405, 'METHOD_NOT_ALLOWED');
    });

    it('parses repeated query keys into a list (the validation pipe refuses it)', async () => {
      const res = await get('/api/v1/stories?limit=1&limit=2');
      expectProblem(res, 400, 'VALIDATION_FAILED');
    });
  });

  describe('bodies and conditional GET', () => {
    it('gives a weak ETag to every whole body, problem+json included, with a UTF-8 charset', async () => {
      const missing = await get(`/api/v1/stories/${uuidv7()}`);
      expect(missing.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(missing.headers.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
      const docs = await request(gw.server).get('/docs');
      expect(docs.headers['content-type']).toBe('text/html; charset=utf-8');
    });

    it('answers a matching If-None-Match with 304, no body and no Content-Length; no-cache asks again', async () => {
      const fresh = await get(`/api/v1/stories/${storyId}`).set('if-none-match', 'W/"3"');
      expect(fresh.status).toBe(304);
      expect(fresh.headers['content-length']).toBeUndefined();
      expect(fresh.headers['content-type']).toBeUndefined();
      expect(fresh.text ?? '').toBe('');
      expect((await get(`/api/v1/stories/${storyId}`).set('if-none-match', '"3"').set('cache-control', 'no-cache')).status).toBe(200);
      expect((await get(`/api/v1/stories/${storyId}`).set('if-none-match', '"2"')).status).toBe(200);
    });

    it('serves a HEAD with the length of the body it leaves out', async () => {
      const head = await request(gw.server).head(`/api/v1/stories/${storyId}`).set('authorization', `Bearer ${token}`);
      const full = await get(`/api/v1/stories/${storyId}`);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(full.headers['content-length']);
    });

    it('redirects with a short text body and no ETag', async () => {
      const narrationId = (await request(gw.server).post(`/api/v1/stories/${storyId}/narrations`).set('authorization', `Bearer ${token}`).send({ voiceId: STOCK_VOICE_ID })).body.id as string;
      await gw.narration.complete(narrationId, Buffer.from('ogg bytes'));
      const res = await get(`/api/v1/narrations/${narrationId}/audio`);
      expect(res.status).toBe(302);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe(`Found. Redirecting to ${res.headers.location as string}`);
      expect(res.headers.etag).toBeUndefined();
    });
  });

  describe('metrics', () => {
    it('labels requests by the declared route pattern, the files wildcard included', async () => {
      await get(`/api/v1/stories/${storyId}`);
      await request(gw.server).put('/storage/x');
      const key = `narrations/${uuidv7()}/${uuidv7()}/n.ogg`;
      await gw.storage.put(key, Buffer.from('abc'), { contentType: 'audio/ogg' });
      const link = new UrlSigner({ secrets: [TEST_FILES_SECRET], basePath: '/api/v1/files' }).sign(key);
      expect((await request(gw.server).get(link)).status).toBe(200);
      const text = (await request(gw.server).get('/metrics')).text;
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/stories\/:id"[^}]*status_code="200"/);
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/files\/\*key"[^}]*status_code="200"/);
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="unmatched"[^}]*status_code="404"/);
    });
  });
});

describe('client address behind a proxy (TRUST_PROXY)', () => {
  async function limitedByForwardedFor(env: Record<string, string>): Promise<number[]> {
    const proxied = await fakeGateway({ ...NO_RATE_LIMITS, RATE_LIMIT_AUTH_PER_MINUTE: '1', ...env });
    try {
      const login = (forwardedFor: string) => request(proxied.server).post('/api/v1/auth/login').set('x-forwarded-for', forwardedFor).send({ email: 'a@example.com', password: 'whatever-123' });
      return [(await login('203.0.113.1')).status, (await login('203.0.113.2')).status];
    } finally {
      await proxied.app.close();
    }
  }

  it('counts the rate limit per forwarded client when the proxy is trusted, per connection otherwise', async () => {
    expect(await limitedByForwardedFor({ TRUST_PROXY: '1' })).toEqual([401, 401]);
    expect(await limitedByForwardedFor({ TRUST_PROXY: 'loopback' })).toEqual([401, 401]);
    expect(await limitedByForwardedFor({})).toEqual([401, 429]);
  });
});
