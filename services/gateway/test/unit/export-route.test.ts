/**
 * GET /users/me/export against fake services: one document gathered from every context as the
 * caller (their token forwarded to each), lists read to the end across pages, and a context that
 * is down failing the export (503) rather than leaving its section out.
 */
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { fakeGateway, NO_RATE_LIMITS, type FakeGateway } from '../support/app.js';
import { grpcError } from '../support/fake-identity.js';
import { expectProblem, PASSWORD } from '../support/http.js';

describe('GET /users/me/export (fake services)', () => {
  let gw: FakeGateway;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    gw = await fakeGateway(NO_RATE_LIMITS);
    const reg = await request(gw.server).post('/api/v1/auth/register').send({ email: 'exp@example.com', password: PASSWORD, displayName: 'Exporter' });
    expect(reg.status).toBe(201);
    token = reg.body.accessToken as string;
    userId = reg.body.user.id as string;
  });
  afterAll(() => gw.app.close());

  const as = (r: request.Test) => r.set('authorization', `Bearer ${token}`);

  it('gathers profile, stories, voices (signed sample URLs), subscription, payments and notifications of the caller', async () => {
    expect((await as(request(gw.server).post('/api/v1/stories')).send({ title: 'Mine', content: 'Once upon a time.' })).status).toBe(201);
    const stranger = await gw.identity.tokenFor('member', uuidv7());
    const theirs = await request(gw.server).post('/api/v1/stories').set('authorization', `Bearer ${stranger}`).send({ title: 'Theirs', content: 'Not mine.' });
    expect(theirs.status).toBe(201);
    // Someone else's published story is listed to the caller too, but is not the caller's data.
    gw.story.stories.get(theirs.body.id as string)!.status = 'published';
    const voice = await as(request(gw.server).post('/api/v1/voices')).send({ name: 'My voice' });
    expect(voice.status).toBe(201);
    for (let i = 0; i < 120; i++) gw.payments.add(userId, 100 + i);
    gw.payments.add(uuidv7(), 5);
    gw.notification.add(userId, 'welcome');

    const res = await as(request(gw.server).get('/api/v1/users/me/export'));
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ id: userId, email: 'exp@example.com', displayName: 'Exporter' });
    expect(res.body.stories).toEqual([expect.objectContaining({ title: 'Mine' })]);
    expect(res.body.voices).toEqual([expect.objectContaining({ name: 'My voice' })]);
    expect(res.body.subscription).toEqual(expect.any(Object));
    // 120 payments: more than one page of 100, all of them, none of another user's.
    expect(res.body.payments).toHaveLength(120);
    expect(res.body.notifications.length).toBeGreaterThanOrEqual(1);
    expect(res.body.notificationPreferences).toEqual(expect.any(Object));
    expect(Date.parse(res.body.exportedAt)).not.toBeNaN();
    expect(gw.payments.calls.every((c) => c.context?.bearerToken === token)).toBe(true);
  });

  it('a context that is down makes the export 503, not a partial document', async () => {
    gw.subscription.failWith = grpcError(14, 'subscription is down');
    try {
      expectProblem(await as(request(gw.server).get('/api/v1/users/me/export')), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      gw.subscription.reset();
    }
  });

  it('needs a token', async () => {
    expectProblem(await request(gw.server).get('/api/v1/users/me/export'), 401, 'UNAUTHENTICATED');
  });
});
