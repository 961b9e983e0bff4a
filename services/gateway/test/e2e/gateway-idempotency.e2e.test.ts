/**
 * End to end over HTTP: Idempotency-Key on POST /auth/register and POST /stories, and story's
 * storiesPerMonth answer (422 QUOTA_EXCEEDED, 503 when subscription is down), with the gateway,
 * identity and story in process (real Postgres and Kafka) and subscription's CheckQuota as a
 * gRPC test peer.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { authorized, expectProblem, PASSWORD, registerMember, uniqueEmail, type Member } from '../support/http.js';
import type { QuotaPeer } from '../support/quota-peer.js';
import { startStoryStack, type StoryStack } from '../support/story-stack.js';

describe('gateway: Idempotency-Key and the story quota (real identity and story)', () => {
  let stack: StoryStack;
  let subscription: QuotaPeer;
  let http: StoryStack['http'];

  beforeAll(async () => {
    stack = await startStoryStack();
    subscription = stack.quota;
    http = stack.http;
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => {
    subscription.limit = undefined;
    subscription.used = 0;
    subscription.unavailable = false;
  });

  const registration = () => ({ email: uniqueEmail('idem'), password: PASSWORD, displayName: 'Ida' });
  const register = (body: object, key?: string) => {
    const r = request(http).post('/api/v1/auth/register');
    if (key !== undefined) r.set('idempotency-key', key);
    return r.send(body);
  };
  const member = (): Promise<Member> => registerMember(http, 'idem', { displayName: 'Ida' });
  const createStory = (m: Member, body: object, key?: string) => {
    const r = authorized(http, m.token).post('/api/v1/stories', body);
    return key === undefined ? r : r.set('idempotency-key', key);
  };
  const myStories = async (m: Member): Promise<Array<{ id: string; title: string }>> => {
    const res = await authorized(http, m.token).get('/api/v1/stories?limit=100');
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
    expectProblem(other, 409, 'IDEMPOTENCY_KEY_REUSED');
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
    expectProblem(res, 400, 'INVALID_IDEMPOTENCY_KEY');
    expect((await register(body)).status).toBe(201); // the email was not taken by the refused request
  });

  it('POST /stories over the month’s storiesPerMonth is 422 QUOTA_EXCEEDED; subscription down is 503', async () => {
    const m = await member();
    subscription.limit = 1;
    expect((await createStory(m, { title: 'One', content: 'x' })).status).toBe(201);
    const refused = await createStory(m, { title: 'Two', content: 'x' });
    expectProblem(refused, 422, 'QUOTA_EXCEEDED');

    subscription.limit = undefined;
    subscription.unavailable = true;
    const down = await createStory(m, { title: 'Three', content: 'x' });
    expectProblem(down, 503, 'SERVICE_UNAVAILABLE');
    expect(down.headers['retry-after']).toBeDefined();
    expect(await myStories(m)).toHaveLength(1);
  });
});
