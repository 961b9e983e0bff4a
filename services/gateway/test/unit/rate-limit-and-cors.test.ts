import request from 'supertest';
import { fakeGateway, type FakeGateway } from '../support/app.js';

describe('rate limits (env-configured)', () => {
  let gw: FakeGateway;

  beforeAll(async () => {
    gw = await fakeGateway({ RATE_LIMIT_AUTH_PER_MINUTE: '3', RATE_LIMIT_PER_MINUTE: '4', CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(async () => {
    await gw.app.close();
  });

  it('limits the /auth group per IP and answers 429 RATE_LIMITED with Retry-After', async () => {
    const login = () => request(gw.server).post('/api/v1/auth/login').send({ email: 'a@example.com', password: 'whatever-123' });
    const refresh = () => request(gw.server).post('/api/v1/auth/refresh').send({ refreshToken: 'rt.x' });
    expect((await login()).status).toBe(401);
    expect((await refresh()).status).toBe(401); // same group: counts towards the same budget
    const third = await login();
    expect(third.status).toBe(401);
    expect(third.headers['ratelimit-limit']).toBe('3');
    expect(third.headers['ratelimit-remaining']).toBe('0');
    const limited = await login();
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // a bad body is still limited (the limit runs before validation)
    expect((await request(gw.server).post('/api/v1/auth/register').send({})).status).toBe(429);
  });

  it('limits other routes per user (each user their own budget), and never /health', async () => {
    const alice = await gw.identity.tokenFor('member');
    const bob = await gw.identity.tokenFor('member');
    const users = (token: string) => request(gw.server).get('/api/v1/users/me').set('authorization', `Bearer ${token}`);
    for (let i = 0; i < 4; i++) expect((await users(alice)).status).not.toBe(429);
    const limited = await users(alice);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await users(bob)).status).not.toBe(429);
    for (let i = 0; i < 10; i++) expect((await request(gw.server).get('/health')).status).toBe(200);
  });

  it('counts requests with a bad token against the IP budget', async () => {
    const bad = () => request(gw.server).get('/api/v1/admin/roles').set('authorization', 'Bearer nope');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await bad()).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const ok = await request(gw.server)
      .options('/api/v1/users/me')
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'PATCH')
      .set('access-control-request-headers', 'authorization,content-type');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-methods']).toContain('PATCH');
    const evil = await request(gw.server).options('/api/v1/users/me').set('origin', 'https://evil.example').set('access-control-request-method', 'GET');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await request(gw.server).get('/health').set('origin', 'https://app.example.com');
    expect(simple.headers['access-control-expose-headers']).toContain('x-correlation-id');
  });
});
