/**
 * The gateway's input edges (issue 12, items 1, 2, 4, 5, 6, 7): what a careless client or an
 * attacker sends must end in a problem+json 4xx with a stable code, in bounded time, and never
 * reach a service (or PostgreSQL) as a 500.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { fakeGateway, NO_RATE_LIMITS, type FakeGateway } from '../support/app.js';
import { expectProblem } from '../support/http.js';

/** `[[[[…]]]]` (or `{"a":{"a":…}}`) nested `depth` levels. */
function nested(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('gateway input edges', () => {
  let gw: FakeGateway;
  let token: string;

  beforeAll(async () => {
    gw = await fakeGateway({ ...NO_RATE_LIMITS, HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '500' });
    token = await gw.identity.tokenFor('member', uuidv7());
  });
  afterAll(() => gw.app.close());
  beforeEach(() => {
    gw.identity.reset();
    gw.story.reset();
  });

  const as = (r: request.Test) => r.set('authorization', `Bearer ${token}`);

  describe('1. JSON nesting depth is bounded before parsing', () => {
    it('answers 400 JSON_TOO_DEEP on the public POST /auth/login (depth 3,000)', async () => {
      for (const body of [`{"email":${nested(3000)},"password":"x"}`, nested(3000, 'object')]) {
        const res = await request(gw.server).post('/api/v1/auth/login').set('content-type', 'application/json').send(body);
        expectProblem(res, 400, 'JSON_TOO_DEEP');
      }
      expect(gw.identity.calls.filter((c) => c.method === 'login')).toHaveLength(0);
    });

    it('answers 400 JSON_TOO_DEEP on a protected route, and a 400,000-deep story body does not stall /health', async () => {
      const deep = `{"title":"Deep","content":"x","language":${nested(400_000)}}`;
      const started = Date.now();
      const [res, health] = await Promise.all([
        as(request(gw.server).post('/api/v1/stories').set('content-type', 'application/json')).send(deep),
        request(gw.server).get('/health'),
      ]);
      expectProblem(res, 400, 'JSON_TOO_DEEP');
      expect(health.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(gw.story.calls).toHaveLength(0);
    });

    it('keeps brackets inside strings out of the count, and accepts ordinary nesting', async () => {
      const title = '[[[[{{{{'.repeat(10);
      const res = await as(request(gw.server).post('/api/v1/stories')).send({ title, content: '"\\[{' });
      expect(res.status).toBe(201);
    });
  });

  describe('2. cursors are decoded and checked in full before any service sees them', () => {
    const outOfRange = base64url(['-005000-01-01T00:00:00.000Z', '0190a5e2-8d4c-7b1a-9c3e-3f2a1b4c5d6e']);
    const farFuture = base64url(['+275760-09-13T00:00:00.000Z', '0190a5e2-8d4c-7b1a-9c3e-3f2a1b4c5d6e']);

    it.each(['/api/v1/stories', '/api/v1/notifications', '/api/v1/payments', `/api/v1/authors/${uuidv7()}/followers`])('%s refuses an out-of-range cursor with 400 INVALID_CURSOR', async (path) => {
      for (const cursor of [outOfRange, farFuture, base64url(['2026-01-01T00:00:00.000Z', 'not-a-uuid']), 'bm9wZQ']) {
        expectProblem(await as(request(gw.server).get(path).query({ cursor })), 400, 'INVALID_CURSOR');
      }
    });
  });

  describe('4. PATCH /users/me: the stored (percent-encoded) profileImageUrl fits its column', () => {
    it('refuses a 140-character URL whose encoded form is longer than 500 characters', async () => {
      const url = `https://example.com/${'é'.repeat(120)}`;
      expect(url.length).toBeLessThan(500);
      expect(new URL(url).toString().length).toBeGreaterThan(500);
      const res = await as(request(gw.server).patch('/api/v1/users/me')).send({ profileImageUrl: url });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([{ field: 'profileImageUrl', message: expect.stringContaining('500') }]);
      expect(gw.identity.calls.filter((c) => c.method === 'updateProfile')).toHaveLength(0);
    });
  });

  describe('5. control characters are refused in every accepted string', () => {
    it.each([
      ['a NUL in a nested body string', 'post', '/api/v1/subscription', { tierId: 'gold', billingCycle: 'monthly', paymentMethod: { token: 'tok_\u0000visa' } }, 'paymentMethod.token'],
      ['an escape sequence in a display name at registration', 'post', '/api/v1/auth/register', { email: 'a@example.com', password: 'correct horse battery', displayName: 'Ann\u001b[31m' }, 'displayName'],
      ['a DEL in a display name', 'patch', '/api/v1/users/me', { displayName: 'Ann\u007f' }, 'displayName'],
      ['a C1 control in a password', 'post', '/api/v1/auth/login', { email: 'a@example.com', password: 'secret\u0085secret' }, 'password'],
      ['a newline in a single-line title', 'post', '/api/v1/stories', { title: 'Two\nlines', content: '' }, 'title'],
      ['a NUL in story content', 'post', '/api/v1/stories', { title: 'Title', content: 'a\u0000b' }, 'content'],
    ] as const)('%s → 400', async (_name, method, path, body, field) => {
      const res = await as(request(gw.server)[method](path)).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toContainEqual({ field, message: expect.stringContaining('control character') });
    });

    it('refuses a control character in a query string, and keeps tabs and newlines in story content', async () => {
      const q = await as(request(gw.server).get('/api/v1/stories').query({ cursor: 'abc', status: 'draft\u0000' }));
      expectProblem(q, 400);
      const ok = await as(request(gw.server).post('/api/v1/stories')).send({ title: 'Poem', content: 'line one\n\tline two\r\n' });
      expect(ok.status).toBe(201);
    });
  });

  describe('6. the HTTP server edges answer problem+json in bounded time', () => {
    let port: number;
    beforeAll(async () => {
      await gw.app.listen(0, '127.0.0.1');
      port = (gw.app.getHttpServer().address() as AddressInfo).port;
    });

    /** Writes `payload` on a raw connection; resolves with what came back and how long it took. */
    function raw(payload: string): Promise<{ text: string; ms: number; error?: string }> {
      return new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        const started = Date.now();
        let text = '';
        let error: string | undefined;
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
        socket.on('close', () => resolve({ text, ms: Date.now() - started, ...(error ? { error } : {}) }));
        socket.setTimeout(10_000, () => socket.destroy());
        socket.write(payload);
      });
    }

    function problemOf(text: string): { status: number; contentType: string; body: Record<string, unknown> } {
      const [head, body] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]);
      const contentType = /\r\ncontent-type: ([^\r]+)/i.exec(head ?? '')?.[1] ?? '';
      return { status, contentType, body: JSON.parse(body ?? 'null') as Record<string, unknown> };
    }

    it('a declared Content-Length with only 20 bytes sent gets 408 problem+json', async () => {
      const res = await raw(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"email":"a@example.`);
      expect(res.ms).toBeLessThan(4000);
      const p = problemOf(res.text);
      expect(p).toMatchObject({ status: 408, contentType: expect.stringMatching(/^application\/problem\+json/), body: { status: 408, code: 'REQUEST_TIMEOUT' } });
    });

    it('headers that never end get 408 problem+json', async () => {
      const res = await raw('GET /health HTTP/1.1\r\nHost: x\r\n');
      expect(res.ms).toBeLessThan(4000);
      expect(problemOf(res.text)).toMatchObject({ status: 408, body: { code: 'REQUEST_TIMEOUT' } });
    });

    it('a 64 KB Authorization header gets 431 problem+json, not a reset', async () => {
      const res = await raw(`GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      expect(res.error).toBeUndefined();
      expect(problemOf(res.text)).toMatchObject({ status: 431, contentType: expect.stringMatching(/^application\/problem\+json/), body: { status: 431, code: 'HEADERS_TOO_LARGE' } });
    });

    it('a bad request line gets 400 problem+json', async () => {
      const res = await raw('GARBAGE\r\n\r\n');
      expect(problemOf(res.text)).toMatchObject({ status: 400, contentType: expect.stringMatching(/^application\/problem\+json/), body: { status: 400, code: 'MALFORMED_REQUEST' } });
    });
  });

  describe('7. authentication comes before body and Idempotency-Key checks', () => {
    it('without a token: a malformed body, a too-deep body or a bad Idempotency-Key is 401', async () => {
      const malformed = await request(gw.server).post('/api/v1/stories').set('content-type', 'application/json').send('{"title":');
      expectProblem(malformed, 401, 'UNAUTHENTICATED');
      const deep = await request(gw.server).post('/api/v1/stories').set('content-type', 'application/json').send(nested(100));
      expectProblem(deep, 401, 'UNAUTHENTICATED');
      const badKey = await request(gw.server).post('/api/v1/stories').set('idempotency-key', 'bad key\u00e9').send({ title: 'Title', content: '' });
      expectProblem(badKey, 401, 'UNAUTHENTICATED');
    });

    it('with a token the same requests are 400 with their own codes', async () => {
      expectProblem(await as(request(gw.server).post('/api/v1/stories').set('content-type', 'application/json')).send('{"title":'), 400, 'MALFORMED_JSON');
      expectProblem(await as(request(gw.server).post('/api/v1/stories').set('idempotency-key', ' ')).send({ title: 'Title', content: '' }), 400, 'INVALID_IDEMPOTENCY_KEY');
      expect(gw.story.calls).toHaveLength(0);
    });

    it('on a public route the body is still checked', async () => {
      expectProblem(await request(gw.server).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":'), 400, 'MALFORMED_JSON');
    });
  });
});
