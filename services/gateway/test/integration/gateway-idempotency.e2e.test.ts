/**
 * End to end over HTTP: Idempotency-Key on POST /auth/register and POST /stories, and story's
 * storiesPerMonth answer (422 QUOTA_EXCEEDED, 503 when subscription is down), with the gateway,
 * identity and story in process (real Postgres and Kafka) and subscription's CheckQuota as a
 * gRPC test peer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { ServiceHandle } from '@storytelling/platform';
import { serviceEnv } from '@storytelling/testing';
import { createIdentityApp } from '../../../identity/src/app.js';
import { createStoryApp } from '../../../story/src/app.js';
import { createGatewayApp } from '../../src/app.js';
import { startQuotaPeer, type QuotaPeer } from '../support/quota-peer.js';

const PASSWORD = 'correct horse battery';

describe('gateway: Idempotency-Key and the story quota (real identity and story)', () => {
  let identity: ServiceHandle;
  let story: ServiceHandle;
  let subscription: QuotaPeer;
  let gateway: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;

  beforeAll(async () => {
    identity = await createIdentityApp(
      serviceEnv('identity', { HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' }),
      { migrateOnStart: true, shutdownHooks: false },
    );
    subscription = await startQuotaPeer();
    story = await createStoryApp(
      serviceEnv('story', { HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'warn', IDENTITY_GRPC_URL: identity.grpcUrl!, SUBSCRIPTION_GRPC_URL: subscription.url }),
      { migrateOnStart: true, shutdownHooks: false },
    );
    gateway = await createGatewayApp(
      {
        HTTP_PORT: '0',
        IDENTITY_GRPC_URL: identity.grpcUrl!,
        STORY_GRPC_URL: story.grpcUrl!,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_AUTH_PER_MINUTE: '1000',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
      { logger: false },
    );
    http = gateway.getHttpServer();
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await story?.close();
    await identity?.close();
    await subscription?.stop();
  });
  afterEach(() => {
    subscription.limit = undefined;
    subscription.used = 0;
    subscription.unavailable = false;
  });

  const registration = () => ({ email: `idem.${randomBytes(5).toString('hex')}@example.com`, password: PASSWORD, displayName: 'Ida' });
  const register = (body: object, key?: string) => {
    const r = request(http).post('/api/v1/auth/register');
    if (key !== undefined) r.set('idempotency-key', key);
    return r.send(body);
  };
  async function member(): Promise<{ id: string; token: string }> {
    const res = await register(registration());
    expect(res.status).toBe(201);
    return { id: res.body.user.id, token: res.body.accessToken };
  }
  const createStory = (m: { token: string }, body: object, key?: string) => {
    const r = request(http).post('/api/v1/stories').set('authorization', `Bearer ${m.token}`);
    if (key !== undefined) r.set('idempotency-key', key);
    return r.send(body);
  };
  const myStories = async (m: { token: string }): Promise<Array<{ id: string; title: string }>> => {
    const res = await request(http).get('/api/v1/stories?limit=100').set('authorization', `Bearer ${m.token}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  it('POST /stories: same key and body → the same 201 and one story; other body → 409 IDEMPOTENCY_KEY_REUSED; no key → two stories', async () => {
    const m = await member();
    const key = randomUUID();
    const body = { title: 'Once', content: 'Upon a time.' };
    const first = await createStory(m, body, key);
    expect(first.status).toBe(201);
    const again = await createStory(m, body, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);

    const other = await createStory(m, { ...body, title: 'Twice' }, key);
    expect(other.status).toBe(409);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 });
    expect((await myStories(m)).map((s) => s.id)).toEqual([first.body.id]);

    expect((await createStory(m, body)).status).toBe(201);
    expect((await createStory(m, body)).status).toBe(201);
    expect(await myStories(m)).toHaveLength(3);
  });

  it('POST /stories: concurrent requests with one key create one story', async () => {
    const m = await member();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => createStory(m, { title: 'Race', content: 'x' }, key)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await myStories(m)).toHaveLength(1);
  });

  it('POST /auth/register: a repeat returns the same account (fresh tokens); other body or password → 409', async () => {
    const key = randomUUID();
    const body = registration();
    const first = await register(body, key);
    expect(first.status).toBe(201);
    const again = await register(body, key);
    expect(again.status).toBe(201);
    expect(again.body.user).toEqual(first.body.user);
    expect(again.body.accessToken).toEqual(expect.any(String));
    expect((await register({ ...body, displayName: 'Other' }, key)).body).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await register({ ...body, password: 'another long password' }, key)).body).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    // Without a key, the same body is the usual EMAIL_TAKEN.
    expect((await register(body)).body).toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
    const me = await request(http).get('/api/v1/users/me').set('authorization', `Bearer ${again.body.accessToken}`);
    expect(me.body.id).toBe(first.body.user.id);
  });

  it('a malformed key is 400 INVALID_IDEMPOTENCY_KEY and nothing is created', async () => {
    const body = registration();
    const res = await register(body, 'not valid');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
    expect((await register(body)).status).toBe(201); // the email was not taken by the refused request
  });

  it('POST /stories over the month’s storiesPerMonth is 422 QUOTA_EXCEEDED; subscription down is 503', async () => {
    const m = await member();
    subscription.limit = 1;
    expect((await createStory(m, { title: 'One', content: 'x' })).status).toBe(201);
    const refused = await createStory(m, { title: 'Two', content: 'x' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 422 });

    subscription.limit = undefined;
    subscription.unavailable = true;
    const down = await createStory(m, { title: 'Three', content: 'x' });
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(down.headers['retry-after']).toBeDefined();
    expect(await myStories(m)).toHaveLength(1);
  });
});
