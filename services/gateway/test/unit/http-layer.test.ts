import request from 'supertest';
import { SignJWT } from 'jose';
import { isUuid } from '@storytelling/kernel';
import { fakeGateway, NO_RATE_LIMITS, type FakeGateway } from '../support/app.js';
import { grpcError, newSigningKey, signAccessToken } from '../support/fake-identity.js';
import { expectProblem, PROBLEM_CONTENT_TYPE } from '../support/http.js';

describe('gateway HTTP layer (fake identity)', () => {
  let gw: FakeGateway;

  beforeAll(async () => {
    gw = await fakeGateway(NO_RATE_LIMITS);
  });
  afterAll(() => gw.app.close());
  beforeEach(() => gw.identity.reset());

  describe('problem+json for everything', () => {
    it('answers an unknown API route with 404 problem+json', async () => {
      const res = await request(gw.server).get('/api/v1/nope');
      expectProblem(res, 404, 'NOT_FOUND');
      expect(res.body.instance).toBe('/api/v1/nope');
    });

    it('answers an unknown root route with 404 problem+json, not an HTML page', async () => {
      const res = await request(gw.server).get('/wp-admin/index.php?x=1');
      expectProblem(res, 404, 'NOT_FOUND');
      expect(res.body.instance).toBe('/wp-admin/index.php');
    });

    it('answers a known path with the wrong method with 405 and Allow', async () => {
      const token = await gw.identity.tokenFor('member');
      const res = await request(gw.server).put('/api/v1/users/me').set('authorization', `Bearer ${token}`);
      expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
    });

    it('answers the wrong method 405 whatever body it carries (the method is refused before any body is read)', async () => {
      const token = await gw.identity.tokenFor('member');
      const multipart = await request(gw.server)
        .put('/api/v1/stories')
        .set('authorization', `Bearer ${token}`)
        .set('content-type', 'multipart/form-data; boundary=x')
        .send('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n');
      expectProblem(multipart, 405, 'METHOD_NOT_ALLOWED');
      expect(multipart.headers.allow).toBe('GET, HEAD, POST');
      const malformed = await request(gw.server).patch('/api/v1/auth/login').set('content-type', 'application/json').send('{"not json');
      expectProblem(malformed, 405, 'METHOD_NOT_ALLOWED');
      expect(malformed.headers.allow).toBe('POST');
      // QUERY carries a body: Fastify wants a Content-Type for it before its not-found handler runs.
      // (supertest's agent has a method per http.METHODS entry; its typings know no `query`.)
      const query = await (request(gw.server) as unknown as Record<string, (url: string) => request.Test>)['query']!('/api/v1/stories').set('authorization', `Bearer ${token}`);
      expectProblem(query, 405, 'METHOD_NOT_ALLOWED');
      expect(query.headers.allow).toBe('GET, HEAD, POST');
    });

    it('maps a malformed percent-encoding in the path to 400, not 500', async () => {
      const token = await gw.identity.tokenFor('admin');
      const res = await request(gw.server).get('/api/v1/users/%E0%A4%A').set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM_CONTENT_TYPE);
    });

    it('hides unexpected errors behind 500 INTERNAL without details', async () => {
      gw.identity.failWith = new TypeError('secret internal detail at db.query');
      const res = await request(gw.server).post('/api/v1/auth/login').send({ email: 'a@example.com', password: 'x' });
      expectProblem(res, 500, 'INTERNAL');
      expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
    });
  });

  describe('x-correlation-id', () => {
    it('echoes a sane incoming id on success and on errors', async () => {
      const ok = await request(gw.server).get('/health').set('x-correlation-id', 'abc-123.req:1');
      expect(ok.headers['x-correlation-id']).toBe('abc-123.req:1');
      const err = await request(gw.server).get('/api/v1/users/me').set('x-correlation-id', 'abc-124');
      expect(err.status).toBe(401);
      expect(err.headers['x-correlation-id']).toBe('abc-124');
      expect(err.body.correlationId).toBe('abc-124');
    });

    it('replaces an insane id (too long, bad characters) with a fresh UUIDv7', async () => {
      for (const bad of ['x'.repeat(200), 'a b', '<script>', '../etc']) {
        const res = await request(gw.server).get('/health').set('x-correlation-id', bad);
        expect(res.headers['x-correlation-id']).not.toBe(bad);
        expect(isUuid(res.headers['x-correlation-id'])).toBe(true);
      }
    });

    it('generates a UUIDv7 when none is given, and passes it (with the verified token) to identity', async () => {
      const token = await gw.identity.tokenFor('member');
      const res = await request(gw.server).get('/api/v1/users/me').set('authorization', `Bearer ${token}`);
      const id = res.headers['x-correlation-id'] as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const call = gw.identity.calls.find((c) => c.method === 'getMe');
      expect(call?.context?.correlationId).toBe(id);
      expect(call?.context?.bearerToken).toBe(token);
      expect(call?.context?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    });

    it('keeps the context across body parsing (POST)', async () => {
      await request(gw.server)
        .post('/api/v1/auth/login')
        .set('x-correlation-id', 'login-ctx-1')
        .send({ email: 'nobody@example.com', password: 'whatever-123' });
      expect(gw.identity.calls.find((c) => c.method === 'login')?.context?.correlationId).toBe('login-ctx-1');
    });

    it('does not forward a token on public routes', async () => {
      await request(gw.server)
        .post('/api/v1/auth/login')
        .set('authorization', 'Bearer garbage')
        .send({ email: 'nobody@example.com', password: 'whatever-123' });
      expect(gw.identity.calls.find((c) => c.method === 'login')?.context?.bearerToken).toBeUndefined();
    });
  });

  describe('Idempotency-Key', () => {
    const body = () => ({ email: `k.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`, password: 'correct horse battery', displayName: 'Kay' });

    it('forwards a valid key of a POST in the request context (→ gRPC metadata idempotency-key)', async () => {
      const res = await request(gw.server).post('/api/v1/auth/register').set('idempotency-key', 'reg-0190a0d0:1').send(body());
      expect(res.status).toBe(201);
      const call = gw.identity.calls.find((c) => c.method === 'register');
      expect(call?.context?.idempotencyKey).toBe('reg-0190a0d0:1');
    });

    it('refuses a malformed key with 400 INVALID_IDEMPOTENCY_KEY before the service is called', async () => {
      for (const bad of ['', 'has space', 'x'.repeat(256), 'clé']) {
        const res = await request(gw.server).post('/api/v1/auth/register').set('idempotency-key', bad).send(body());
        expectProblem(res, 400, 'INVALID_IDEMPOTENCY_KEY');
        expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
        expect(res.headers['x-correlation-id']).toBe(res.body.correlationId);
      }
      expect(gw.identity.calls.filter((c) => c.method === 'register')).toHaveLength(0);
    });

    it('is not forwarded without the header', async () => {
      await request(gw.server).post('/api/v1/auth/register').send(body());
      expect(gw.identity.calls.find((c) => c.method === 'register')?.context?.idempotencyKey).toBeUndefined();
    });
  });

  describe('validation', () => {
    it('lists every field problem of a bad register body', async () => {
      const res = await request(gw.server).post('/api/v1/auth/register').send({ email: 'not-an-email', password: 'short', displayName: '' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      const fields = (res.body.errors as { field: string; message: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(expect.arrayContaining(['displayName', 'email', 'password']));
      expect(res.body.errors).toContainEqual({ field: 'password', message: 'must be at least 10 characters' });
      expect(gw.identity.calls).toHaveLength(0);
    });

    it('rejects unknown fields (also __proto__) and wrong types', async () => {
      const unknown = await request(gw.server)
        .post('/api/v1/auth/register')
        .send({ email: 'a@example.com', password: 'long enough pw', displayName: 'A', isAdmin: true });
      expectProblem(unknown, 400, 'VALIDATION_FAILED');
      expect(unknown.body.errors).toContainEqual({ field: 'isAdmin', message: 'is not an allowed field' });

      const proto = await request(gw.server)
        .post('/api/v1/auth/login')
        .set('content-type', 'application/json')
        .send('{"email":"a@example.com","password":"x","__proto__":{"role":"admin"}}');
      expectProblem(proto, 400, 'VALIDATION_FAILED');

      const types = await request(gw.server).post('/api/v1/auth/login').send({ email: ['a@example.com'], password: 12345678901 });
      expectProblem(types, 400, 'VALIDATION_FAILED');
      expect(types.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['email', 'password']));
    });

    it('rejects a body that is not a JSON object', async () => {
      for (const body of ['[]', '"text"', 'null', '42']) {
        const res = await request(gw.server).post('/api/v1/auth/login').set('content-type', 'application/json').send(body);
        expect([400]).toContain(res.status);
        expect(['VALIDATION_FAILED', 'MALFORMED_JSON']).toContain(res.body.code);
      }
    });

    it('rejects unknown query parameters', async () => {
      const token = await gw.identity.tokenFor('member');
      const res = await request(gw.server).get('/api/v1/users/me?debug=1').set('authorization', `Bearer ${token}`);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toContainEqual({ field: 'debug', message: 'is not an allowed field' });
    });

    it('requires :id to be a UUID (400, never 500) and the role path param to be a role', async () => {
      const admin = await gw.identity.tokenFor('admin');
      for (const id of ['123', 'not-a-uuid', "1' OR '1'='1", 'a'.repeat(300)]) {
        const res = await request(gw.server).get(`/api/v1/users/${encodeURIComponent(id)}`).set('authorization', `Bearer ${admin}`);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).toContainEqual({ field: 'id', message: 'must be a UUID' });
      }
      const superAdmin = await gw.identity.tokenFor('super-admin');
      const role = await request(gw.server)
        .post('/api/v1/admin/roles/overlord/permissions')
        .set('authorization', `Bearer ${superAdmin}`)
        .send({ resource: 'stories', action: 'publish' });
      expectProblem(role, 400, 'VALIDATION_FAILED');
      expect(role.body.errors[0].field).toBe('role');
    });

    it('checks profile fields (language, URL, lengths) and needs at least one', async () => {
      const token = await gw.identity.tokenFor('member');
      const bad = await request(gw.server)
        .patch('/api/v1/users/me')
        .set('authorization', `Bearer ${token}`)
        .send({ language: 'english!', profileImageUrl: 'javascript:alert(1)', firstName: 'x'.repeat(101), displayName: null });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['displayName', 'firstName', 'language', 'profileImageUrl']);
      const empty = await request(gw.server).patch('/api/v1/users/me').set('authorization', `Bearer ${token}`).send({});
      expectProblem(empty, 400, 'VALIDATION_FAILED');
    });

    it('validates grant permission and assign role bodies', async () => {
      const superAdmin = await gw.identity.tokenFor('super-admin');
      const res = await request(gw.server)
        .post('/api/v1/admin/roles/content-moderator/permissions')
        .set('authorization', `Bearer ${superAdmin}`)
        .send({ resource: 'Stories!', action: '' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['action', 'resource']);
      const role = await request(gw.server)
        .put('/api/v1/admin/users/0190f2a0-0000-7000-8000-000000000000/role')
        .set('authorization', `Bearer ${superAdmin}`)
        .send({ role: 'god' });
      expectProblem(role, 400, 'VALIDATION_FAILED');
    });
  });

  describe('bodies', () => {
    it('answers 415 for a non-JSON content type', async () => {
      const res = await request(gw.server).post('/api/v1/auth/login').set('content-type', 'text/plain').send('email=a');
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      const form = await request(gw.server).post('/api/v1/auth/login').type('form').send({ email: 'a@example.com', password: 'x' });
      expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers 400 MALFORMED_JSON for broken JSON', async () => {
      const res = await request(gw.server).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email": ');
      expectProblem(res, 400, 'MALFORMED_JSON');
    });

    it('answers 413 for a body above BODY_LIMIT (and keeps the correlation id)', async () => {
      const res = await request(gw.server)
        .post('/api/v1/auth/register')
        .set('x-correlation-id', 'big-1')
        .send({ email: 'a@example.com', password: 'x'.repeat(200 * 1024), displayName: 'A' });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(res.headers['x-correlation-id']).toBe('big-1');
    });
  });

  describe('authentication', () => {
    it('401 UNAUTHENTICATED with WWW-Authenticate when no token is given', async () => {
      const res = await request(gw.server).get('/api/v1/users/me');
      expectProblem(res, 401, 'UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      const basic = await request(gw.server).get('/api/v1/users/me').set('authorization', 'Basic dXNlcjpwYXNz');
      expectProblem(basic, 401, 'UNAUTHENTICATED');
    });

    it('401 TOKEN_EXPIRED for an expired token', async () => {
      const token = await signAccessToken(gw.identity.key, { expiresInSeconds: -60 });
      const res = await request(gw.server).get('/api/v1/users/me').set('authorization', `Bearer ${token}`);
      expectProblem(res, 401, 'TOKEN_EXPIRED');
      expect(res.headers['www-authenticate']).toContain('invalid_token');
    });

    it('401 INVALID_TOKEN for garbage, tampering, alg none, HS256, unknown kid, wrong issuer or audience', async () => {
      const valid = await gw.identity.tokenFor('member');
      const [h, p, s] = valid.split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'super-admin' })).toString('base64url')}.${s}`;
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: gw.identity.key.kid })).toString('base64url')}.${p}.`;
      const pem = (await import('node:crypto')).createPublicKey({ key: gw.identity.key.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      const hs256 = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', kid: gw.identity.key.kid })
        .sign(new TextEncoder().encode(pem.export({ type: 'spki', format: 'pem' }).toString()));
      const stranger = await newSigningKey();
      const unknownKid = await signAccessToken(stranger);
      const knownKidWrongKey = await signAccessToken(gw.identity.key, { key: stranger });
      const wrongIssuer = await signAccessToken(gw.identity.key, { iss: 'https://evil.example' });
      const wrongAudience = await signAccessToken(gw.identity.key, { aud: 'another-api' });
      const cases = { garbage: 'garbage', dots: 'a.b.c', tampered, none, hs256, unknownKid, knownKidWrongKey, wrongIssuer, wrongAudience };
      for (const [name, token] of Object.entries(cases)) {
        const res = await request(gw.server).get('/api/v1/users/me').set('authorization', `Bearer ${token}`);
        expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: 'INVALID_TOKEN' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      expect(gw.identity.calls.filter((c) => c.method === 'getMe')).toHaveLength(0);
    });

    it('fetches the JWKS once and refetches for an unknown kid at most once per interval', async () => {
      const before = gw.identity.jwksCalls;
      const stranger = await newSigningKey();
      for (let i = 0; i < 5; i++) {
        const res = await request(gw.server).get('/api/v1/users/me').set('authorization', `Bearer ${await signAccessToken(stranger)}`);
        expect(res.status).toBe(401);
      }
      expect(gw.identity.jwksCalls - before).toBeLessThanOrEqual(1);
    });
  });

  describe('roles and identity errors', () => {
    it('keeps members out of /admin (403) without calling identity', async () => {
      const member = await gw.identity.tokenFor('member');
      for (const [method, path] of [
        ['get', '/api/v1/admin/roles'],
        ['put', '/api/v1/admin/users/0190f2a0-0000-7000-8000-000000000000/role'],
        ['post', '/api/v1/admin/roles/member/permissions'],
      ] as const) {
        const req = request(gw.server)[method](path).set('authorization', `Bearer ${member}`);
        const res = method === 'get' ? await req : await req.send(method === 'put' ? { role: 'admin' } : { resource: 'stories', action: 'read' });
        expectProblem(res, 403, 'FORBIDDEN');
      }
      expect(gw.identity.calls).toHaveLength(0);
    });

    it('maps identity gRPC errors to problems with their stable code', async () => {
      gw.identity.failWith = grpcError(6, 'an account with this email already exists', 'EMAIL_TAKEN');
      const taken = await request(gw.server).post('/api/v1/auth/register').send({ email: 'a@example.com', password: 'long enough pw', displayName: 'A' });
      expectProblem(taken, 409, 'EMAIL_TAKEN');

      gw.identity.failWith = grpcError(3, 'invalid profile', 'VALIDATION_FAILED', [{ field: 'language', message: 'must be a BCP 47 language tag' }]);
      const invalid = await request(gw.server).post('/api/v1/auth/register').send({ email: 'a@example.com', password: 'long enough pw', displayName: 'A' });
      expectProblem(invalid, 400, 'VALIDATION_FAILED');
      expect(invalid.body.errors).toEqual([{ field: 'language', message: 'must be a BCP 47 language tag' }]);

      gw.identity.failWith = grpcError(16, 'refresh token was already used', 'TOKEN_REUSED');
      const reused = await request(gw.server).post('/api/v1/auth/refresh').send({ refreshToken: 'rt.abc' });
      expectProblem(reused, 401, 'TOKEN_REUSED');
    });

    it('answers 503 SERVICE_UNAVAILABLE with Retry-After when identity is unavailable or too slow', async () => {
      for (const code of [14, 4]) {
        gw.identity.failWith = grpcError(code, 'connect ECONNREFUSED');
        const res = await request(gw.server).post('/api/v1/auth/login').send({ email: 'a@example.com', password: 'whatever-123' });
        expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    });
  });

  describe('docs and operations', () => {
    it('serves an OpenAPI 3 document listing every route with problem responses and bearer security', async () => {
      const res = await request(gw.server).get('/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } };
      expect(doc.openapi).toMatch(/^3\./);
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      expect(routes.sort()).toEqual(
        [
          'POST /api/v1/auth/register',
          'POST /api/v1/auth/login',
          'POST /api/v1/auth/refresh',
          'POST /api/v1/auth/logout',
          'GET /api/v1/users/me',
          'PATCH /api/v1/users/me',
          'DELETE /api/v1/users/me',
          'GET /api/v1/users/me/export',
          'GET /api/v1/users/{id}',
          'PUT /api/v1/admin/users/{id}/role',
          'GET /api/v1/admin/roles',
          'GET /api/v1/auth/oidc/{provider}/callback',
          'GET /api/v1/auth/oidc/{provider}/start',
          'POST /api/v1/admin/roles/{role}/permissions',
          'POST /api/v1/stories',
          'GET /api/v1/stories',
          'GET /api/v1/stories/{id}',
          'PATCH /api/v1/stories/{id}',
          'DELETE /api/v1/stories/{id}',
          'POST /api/v1/stories/{id}/analysis',
          'GET /api/v1/stories/{id}/analysis',
          'POST /api/v1/authors/{id}/follow',
          'DELETE /api/v1/authors/{id}/follow',
          'GET /api/v1/authors/{id}/followers',
          'GET /api/v1/notifications',
          'POST /api/v1/notifications/{id}/read',
          'GET /api/v1/notification-preferences',
          'PUT /api/v1/notification-preferences',
          'GET /api/v1/payments',
          'POST /api/v1/payments/webhooks/{provider}',
          'GET /api/v1/subscription/tiers',
          'GET /api/v1/subscription',
          'POST /api/v1/subscription',
          'POST /api/v1/subscription/cancel',
          'POST /api/v1/voices',
          'GET /api/v1/voices',
          'GET /api/v1/voices/{id}',
          'POST /api/v1/voices/{id}/samples',
          'DELETE /api/v1/voices/{id}/samples/{sampleId}',
          'POST /api/v1/voices/{id}/train',
          'POST /api/v1/stories/{id}/narrations',
          'GET /api/v1/narrations/{id}',
          'POST /api/v1/narrations/{id}/segments/{index}/regenerate',
          'GET /api/v1/narrations/{id}/audio',
          'GET /api/v1/files/{key}',
          'GET /.well-known/jwks.json',
        ].sort(),
      );
      expect(doc.components.securitySchemes.bearer).toBeDefined();
      expect(doc.components.schemas.ProblemDto).toBeDefined();
      expect((doc.components.schemas.RegisterBody as { additionalProperties?: boolean }).additionalProperties).toBe(false);
      expect(doc.paths['/api/v1/users/me']!.get!.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(doc.paths['/api/v1/auth/register']!.post!.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '429']));
    });

    it('serves the docs page and its assets locally (no CDN)', async () => {
      const html = await request(gw.server).get('/docs');
      expect(html.status).toBe(200);
      expect(html.headers['content-type']).toMatch(/text\/html/);
      expect(html.text).not.toMatch(/https?:\/\/(?!gateway\.test)[^"'\s]*\.(js|css)/);
      const srcs = [...html.text.matchAll(/(?:src|href)=["']([^"']+\.(?:js|css))["']/g)].map((m) => m[1]!);
      expect(srcs.length).toBeGreaterThanOrEqual(3);
      for (const src of srcs) {
        const asset = await request(gw.server).get(new URL(src, 'http://gateway.test/docs').pathname);
        expect({ src, status: asset.status }).toEqual({ src, status: 200 });
      }
    });

    it('serves /health and /ready (identity required, the other peers reported as optional), with security headers', async () => {
      const health = await request(gw.server).get('/health');
      expect(health.status).toBe(200);
      expect(health.headers['x-content-type-options']).toBe('nosniff');
      expect(health.headers['x-powered-by']).toBeUndefined();
      expect((await request(gw.server).get('/ready')).status).toBe(200);
      gw.identity.healthy = false;
      const down = await request(gw.server).get('/ready');
      gw.identity.healthy = true;
      expect(down.status).toBe(503);
      expect(down.body.checks.identity.ok).toBe(false);
      gw.story.healthy = false;
      const storyDown = await request(gw.server).get('/ready');
      gw.story.healthy = true;
      expect(storyDown.status).toBe(200);
      expect(storyDown.body.checks).toMatchObject({ identity: { ok: true }, story: { ok: false, optional: true } });
    });

    it('serves Prometheus metrics with HTTP timings by route pattern', async () => {
      await request(gw.server).get('/health');
      const res = await request(gw.server).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/health"/);
    });

    it('proxies the JWKS at the root', async () => {
      const res = await request(gw.server).get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys[0]).toMatchObject({ kty: 'RSA', kid: gw.identity.key.kid });
      expect(res.headers['cache-control']).toContain('max-age');
      expect((await request(gw.server).get('/api/v1/.well-known/jwks.json')).status).toBe(404);
    });
  });
});
