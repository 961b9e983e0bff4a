/**
 * End to end: the gateway in process in front of the REAL identity service (booted in process on
 * free ports, migrated, with real PostgreSQL and Kafka from the test harness), driven over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { importPKCS8, SignJWT } from 'jose';
import request from 'supertest';
import { EventProbe, waitUntil } from '@storytelling/testing';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { startGateway } from '../support/app.js';
import { newSigningKey, signAccessToken } from '../support/fake-identity.js';
import { FakeStory } from '../support/fake-story.js';
import { authorized, expectProblem, PASSWORD, registerMember, uniqueEmail, type Member, type Res } from '../support/http.js';

const USER_REGISTERED = 'storytelling.identity.user.registered.v1';

const email = uniqueEmail;

describe('gateway ⇄ identity (real services, Postgres, Kafka)', () => {
  let identityEnv: Record<string, string>;
  let identity: RunningIdentity | undefined;
  let gateway: INestApplication;
  let strictGateway: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let probe: EventProbe;

  beforeAll(async () => {
    probe = await EventProbe.start('identity.user.events');
    identity = await startIdentity();
    identityEnv = identity.env;
    const gatewayEnv = { IDENTITY_GRPC_URL: identity.handle.grpcUrl!, GRPC_DEADLINE_MS: '3000', RATE_LIMIT_PER_MINUTE: '1000' };
    // The story routes have their own end-to-end test (gateway-story.e2e.test.ts); here story is a fake.
    gateway = await startGateway(gatewayEnv, { story: new FakeStory() });
    strictGateway = await startGateway({ ...gatewayEnv, RATE_LIMIT_AUTH_PER_MINUTE: '3' }, { story: new FakeStory() });
    http = gateway.getHttpServer();
  }, 120_000);

  afterAll(async () => {
    await probe?.close();
    await gateway?.close();
    await strictGateway?.close();
    await identity?.close();
  });

  const register = (body: Record<string, unknown>, correlationId?: string) => {
    const req = request(http).post('/api/v1/auth/register');
    if (correlationId) req.set('x-correlation-id', correlationId);
    return req.send(body);
  };
  const login = (e: string, password = PASSWORD) => request(http).post('/api/v1/auth/login').send({ email: e, password });
  const refresh = (refreshToken: string) => request(http).post('/api/v1/auth/refresh').send({ refreshToken });
  const as = (token: string) => authorized(http, token);
  const newMember = (name: string): Promise<Member> => registerMember(http, name);

  async function superAdminToken(): Promise<string> {
    const res = await login(identityEnv.SUPERADMIN_EMAIL!, identityEnv.SUPERADMIN_PASSWORD!);
    expect(res.status).toBe(200);
    expect(res.body.user.role).toBe('super-admin');
    return res.body.accessToken as string;
  }

  it('register → login → me → refresh → reuse is TOKEN_REUSED and revokes the family → logout', async () => {
    const e = email('ada');
    const correlationId = `e2e-register-${randomBytes(4).toString('hex')}`;
    const reg = await register({ email: e, password: PASSWORD, displayName: 'Ada', language: 'en' }, correlationId);
    expect(reg.status).toBe(201);
    expect(reg.headers['x-correlation-id']).toBe(correlationId);
    expect(reg.body).toEqual({
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: e,
        displayName: 'Ada',
        firstName: null,
        lastName: null,
        language: 'en',
        role: 'member',
        profileImageUrl: null,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
    });
    const userId = reg.body.user.id as string;

    // UserRegistered on the run's (prefixed) topic, as a CloudEvent carrying our correlation id.
    const event = await probe.waitFor((ev) => ev.envelope.type === USER_REGISTERED && ev.envelope.subject === userId);
    expect(event.topic).toMatch(/^t.+\.identity\.user\.events$/);
    expect(event.key).toBe(userId);
    expect(event.envelope).toMatchObject({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      source: '/storytelling/identity',
      type: USER_REGISTERED,
      subject: userId,
      time: expect.any(String),
      datacontenttype: 'application/json',
      correlationid: correlationId,
    });
    expect(JSON.stringify(event.envelope.data)).not.toContain(PASSWORD);

    const signedIn = await login(e);
    expect(signedIn.status).toBe(200);
    expect(Object.keys(signedIn.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'user']);

    const me = await as(signedIn.body.accessToken).get('/api/v1/users/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(reg.body.user);

    const patched = await as(signedIn.body.accessToken).patch('/api/v1/users/me', { firstName: 'Ada', lastName: 'Lovelace', language: 'pt-BR' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', language: 'pt-BR' });
    const cleared = await as(signedIn.body.accessToken).patch('/api/v1/users/me', { lastName: null });
    expect(cleared.body.lastName).toBeNull();

    const rotated = await refresh(signedIn.body.refreshToken);
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken']);
    expect(rotated.body.refreshToken).not.toBe(signedIn.body.refreshToken);

    const reused = await refresh(signedIn.body.refreshToken);
    expectProblem(reused, 401, 'TOKEN_REUSED');
    // The whole family is revoked: the newest token of it no longer works either.
    const newest = await refresh(rotated.body.refreshToken);
    expectProblem(newest, 401);
    expect(['INVALID_REFRESH_TOKEN', 'TOKEN_REUSED']).toContain(newest.body.code);

    // The registration's session (another family) is untouched; logging it out ends it.
    const out = await as(reg.body.accessToken).post('/api/v1/auth/logout', { refreshToken: reg.body.refreshToken });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expectProblem(await refresh(reg.body.refreshToken), 401);
  });

  it('409 EMAIL_TAKEN (whatever the case of the address)', async () => {
    const { email: e } = await newMember('dup');
    expectProblem(await register({ email: e, password: PASSWORD, displayName: 'Again' }), 409, 'EMAIL_TAKEN');
    expectProblem(await register({ email: e.toUpperCase(), password: PASSWORD, displayName: 'Again' }), 409, 'EMAIL_TAKEN');
  });

  it('400 problem+json with field errors, unknown fields rejected, nothing reaches identity', async () => {
    const bad = await register({ email: 'nope', password: 'short', displayName: '', language: '!!' });
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect((bad.body.errors as { field: string }[]).map((x) => x.field).sort()).toEqual(['displayName', 'email', 'language', 'password']);
    const unknown = await register({ email: email('u'), password: PASSWORD, displayName: 'U', role: 'super-admin' });
    expectProblem(unknown, 400, 'VALIDATION_FAILED');
    expect(unknown.body.errors).toEqual([{ field: 'role', message: 'is not an allowed field' }]);
    const notUuid = await as((await newMember('v')).token).get('/api/v1/users/42');
    expectProblem(notUuid, 400, 'VALIDATION_FAILED');
  });

  it('answers unknown email and wrong password with the same 401 body', async () => {
    const { email: e } = await newMember('same');
    const wrong = await login(e, 'wrong password!!');
    const unknown = await login(email('ghost'));
    expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
    const strip = (b: Record<string, unknown>) => ({ ...b, correlationId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.status).toBe(wrong.status);
  });

  it('enforces role rules (member, admin, super-admin, customer-support)', async () => {
    const root = await superAdminToken();
    const alice = await newMember('alice'); // becomes admin
    const bob = await newMember('bob'); // stays member
    const carol = await newMember('carol'); // becomes customer-support

    // member: no admin routes
    expectProblem(await as(bob.token).get('/api/v1/admin/roles'), 403, 'FORBIDDEN');
    expectProblem(await as(bob.token).put(`/api/v1/admin/users/${carol.id}/role`, { role: 'admin' }), 403);

    // super-admin makes alice admin; alice signs in again to carry the role
    const promoted = await as(root).put(`/api/v1/admin/users/${alice.id}/role`, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: alice.id, role: 'admin' });
    const adminToken = (await login(alice.email)).body.accessToken as string;

    // admin: may list roles, may assign customer-support, may not grant admin or permissions
    const roles = await as(adminToken).get('/api/v1/admin/roles');
    expect(roles.status).toBe(200);
    expect((roles.body.items as { name: string }[]).map((r) => r.name).sort()).toEqual(['admin', 'content-moderator', 'customer-support', 'member', 'super-admin']);
    expectProblem(await as(adminToken).put(`/api/v1/admin/users/${bob.id}/role`, { role: 'admin' }), 403, 'ROLE_ASSIGNMENT_FORBIDDEN');
    expect((await as(adminToken).put(`/api/v1/admin/users/${carol.id}/role`, { role: 'customer-support' })).status).toBe(200);
    expectProblem(await as(adminToken).post('/api/v1/admin/roles/content-moderator/permissions', { resource: 'stories', action: 'moderate' }), 403);

    // super-admin: may grant admin and permissions
    expect((await as(root).put(`/api/v1/admin/users/${bob.id}/role`, { role: 'admin' })).body.role).toBe('admin');
    expect((await as(root).put(`/api/v1/admin/users/${bob.id}/role`, { role: 'member' })).body.role).toBe('member');
    const granted = await as(root).post('/api/v1/admin/roles/content-moderator/permissions', { resource: 'stories', action: 'moderate' });
    expect(granted.status).toBe(201);
    expect(granted.body.name).toBe('content-moderator');
    expect(granted.body.permissions).toContainEqual({ resource: 'stories', action: 'moderate' });

    // GET /users/:id: self yes, stranger 404 (identity hides existence), customer-support yes
    expect((await as(bob.token).get(`/api/v1/users/${bob.id}`)).status).toBe(200);
    expectProblem(await as(bob.token).get(`/api/v1/users/${carol.id}`), 404);
    const supportToken = (await login(carol.email)).body.accessToken as string;
    const seen = await as(supportToken).get(`/api/v1/users/${bob.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: bob.id, email: bob.email, role: 'member' });
  });

  it('rejects expired, tampered, alg none, unknown-kid and garbage tokens with 401', async () => {
    const { token } = await newMember('tok');
    const pem = readFileSync(identityEnv.JWT_PRIVATE_KEY_FILE!, 'utf8');
    const key = await importPKCS8(pem, 'RS256');
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 3600, exp: now - 1800 })
      .setProtectedHeader({ alg: 'RS256', kid: JSON.parse(Buffer.from(h, 'base64url').toString()).kid })
      .sign(key);
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'super-admin' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const unknownKid = await signAccessToken(await newSigningKey('not-identitys-key'), { iss: String(claims.iss), aud: String(claims.aud) });

    expect((await as(token).get('/api/v1/users/me')).status).toBe(200);
    const exp = await as(expired).get('/api/v1/users/me');
    expectProblem(exp, 401, 'TOKEN_EXPIRED');
    expect(exp.headers['www-authenticate']).toMatch(/^Bearer/);
    for (const bad of [tampered, none, unknownKid, 'garbage', `${h}.${p}`]) {
      const res = await as(bad).get('/api/v1/users/me');
      expectProblem(res, 401, 'INVALID_TOKEN');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expectProblem(await request(http).get('/api/v1/users/me'), 401, 'UNAUTHENTICATED');
  });

  it('413 for an oversized body, 415 for text/plain, x-correlation-id echoed', async () => {
    const big = await request(http)
      .post('/api/v1/auth/register')
      .set('x-correlation-id', 'e2e-big')
      .send({ email: email('big'), password: PASSWORD, displayName: 'x'.repeat(150 * 1024) });
    expectProblem(big, 413, 'PAYLOAD_TOO_LARGE');
    expect(big.headers['x-correlation-id']).toBe('e2e-big');
    const text = await request(http).post('/api/v1/auth/login').set('content-type', 'text/plain').send('hello');
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(text.headers['x-correlation-id']).toBeTruthy();
  });

  it('429 RATE_LIMITED with Retry-After after the auth limit (RATE_LIMIT_AUTH_PER_MINUTE=3)', async () => {
    const strict = strictGateway.getHttpServer();
    const statuses: number[] = [];
    let limited: Res | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await request(strict).post('/api/v1/auth/login').send({ email: email('rl'), password: PASSWORD });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expectProblem(limited!, 429, 'RATE_LIMITED');
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // other route groups are not affected
    expect((await request(strict).get('/.well-known/jwks.json')).status).toBe(200);
  });

  it('proxies identity JWKS at the root, documents every route, serves /docs, /health, /ready', async () => {
    const jwks = await request(http).get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: identityEnv.JWT_KEY_ID });
    const doc = await request(http).get('/openapi.json');
    expect(Object.keys(doc.body.paths).sort()).toEqual(
      [
        '/.well-known/jwks.json',
        '/api/v1/admin/roles',
        '/api/v1/admin/roles/{role}/permissions',
        '/api/v1/admin/users/{id}/role',
        '/api/v1/auth/login',
        '/api/v1/auth/logout',
        '/api/v1/auth/oidc/{provider}/callback',
        '/api/v1/auth/oidc/{provider}/start',
        '/api/v1/auth/refresh',
        '/api/v1/auth/register',
        '/api/v1/users/me',
        '/api/v1/users/me/export',
        '/api/v1/users/{id}',
        '/api/v1/stories',
        '/api/v1/stories/{id}',
        '/api/v1/stories/{id}/analysis',
        '/api/v1/subscription',
        '/api/v1/subscription/cancel',
        '/api/v1/subscription/tiers',
        '/api/v1/authors/{id}/follow',
        '/api/v1/authors/{id}/followers',
        '/api/v1/notifications',
        '/api/v1/notifications/{id}/read',
        '/api/v1/notification-preferences',
        '/api/v1/payments',
        '/api/v1/payments/webhooks/{provider}',
        '/api/v1/voices',
        '/api/v1/voices/{id}',
        '/api/v1/voices/{id}/samples',
        '/api/v1/voices/{id}/samples/{sampleId}',
        '/api/v1/voices/{id}/train',
        '/api/v1/stories/{id}/narrations',
        '/api/v1/narrations/{id}',
        '/api/v1/narrations/{id}/segments/{index}/regenerate',
        '/api/v1/narrations/{id}/audio',
        '/api/v1/files/{key}',
      ].sort(),
    );
    const docs = await request(http).get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    expect((await request(http).get('/health')).status).toBe(200);
    // Readiness is eventual: identity's gRPC health follows its own readiness once it has been read.
    // identity is required; the other peers are not started here and are optional, so the
    // gateway is ready with them down.
    const ready = await waitUntil(async () => {
      const res = await request(http).get('/ready');
      return res.body?.checks?.identity?.ok === true ? res : undefined;
    }, 15_000);
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ identity: { ok: true }, story: { optional: true }, payments: { optional: true } });
  });

  it('503 SERVICE_UNAVAILABLE with Retry-After when identity is stopped', async () => {
    const { token } = await newMember('last');
    expect((await as(token).get('/api/v1/users/me')).status).toBe(200); // keys cached
    await identity!.close();
    identity = undefined;
    const me = await as(token).get('/api/v1/users/me');
    expectProblem(me, 503, 'SERVICE_UNAVAILABLE');
    expect(Number(me.headers['retry-after'])).toBeGreaterThan(0);
    const signIn = await login(email('down'));
    expectProblem(signIn, 503, 'SERVICE_UNAVAILABLE');
    expect(signIn.headers['retry-after']).toBeDefined();
    const ready = await request(http).get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.identity.ok).toBe(false);
  }, 30_000);
});
