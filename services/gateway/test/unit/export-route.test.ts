/**
 * GET /users/me/export against fake services: one document gathered from every context as the
 * caller (their token forwarded to each), lists read to the end across pages (narrations and
 * follows included), audio as signed /files links that serve the stored bytes, and a context that
 * is down failing the export (503) rather than leaving its section out.
 */
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
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
    const archived = await as(request(gw.server).post('/api/v1/stories')).send({ title: 'Archived', content: 'Long ago.' });
    expect(archived.status).toBe(201);
    expect((await as(request(gw.server).delete(`/api/v1/stories/${archived.body.id as string}`))).status).toBe(204);
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
    // Archived stories too: they are still the author's data.
    expect(res.body.stories.map((s: { title: string; status: string }) => [s.title, s.status])).toEqual([
      ['Mine', 'draft'],
      ['Archived', 'archived'],
    ]);
    expect(res.body.voices).toEqual([expect.objectContaining({ name: 'My voice' })]);
    expect(res.body.subscription).toEqual(expect.any(Object));
    // 120 payments: more than one page of 100, all of them, none of another user's.
    expect(res.body.payments).toHaveLength(120);
    expect(res.body.notifications.length).toBeGreaterThanOrEqual(1);
    expect(res.body.notificationPreferences).toEqual(expect.any(Object));
    expect(Date.parse(res.body.exportedAt)).not.toBeNaN();
    expect(gw.payments.calls.every((c) => c.context?.bearerToken === token)).toBe(true);
  });

  it('adds the caller\'s narrations (every segment and the whole file as signed links that serve the audio) and follows both ways, paged to the end', async () => {
    const stranger = await gw.identity.tokenFor('member', uuidv7());
    const asStranger = (r: request.Test) => r.set('authorization', `Bearer ${stranger}`);
    const narrated = await as(request(gw.server).post(`/api/v1/stories/${uuidv7()}/narrations`)).send({ voiceId: STOCK_VOICE_ID });
    expect(narrated.status).toBe(202);
    const id = narrated.body.id as string;
    await gw.narration.complete(id, Buffer.from('OggS whole narration'));
    // 25 more: many pages of narrations.
    for (let i = 0; i < 25; i++) expect((await as(request(gw.server).post(`/api/v1/stories/${uuidv7()}/narrations`)).send({ voiceId: STOCK_VOICE_ID })).status).toBe(202);
    const theirs = await asStranger(request(gw.server).post(`/api/v1/stories/${uuidv7()}/narrations`)).send({ voiceId: STOCK_VOICE_ID });
    expect(theirs.status).toBe(202);
    const followed = [uuidv7(), uuidv7(), uuidv7()];
    for (const author of followed) expect((await as(request(gw.server).post(`/api/v1/authors/${author}/follow`)).send()).status).toBe(204);
    expect((await asStranger(request(gw.server).post(`/api/v1/authors/${userId}/follow`)).send()).status).toBe(204);
    expect((await asStranger(request(gw.server).post(`/api/v1/authors/${uuidv7()}/follow`)).send()).status).toBe(204);

    const callsBefore = gw.narration.calls.length;
    const res = await as(request(gw.server).get('/api/v1/users/me/export'));
    expect(res.status).toBe(200);
    const narrations = res.body.narrations as Array<{ id: string; audioUrl: string | null; segments: Array<{ audioUrl: string | null }> }>;
    expect(narrations).toHaveLength(26);
    expect(narrations.map((n) => n.id)).not.toContain(theirs.body.id);
    const done = narrations.find((n) => n.id === id)!;
    expect(done.audioUrl).toMatch(new RegExp(`^http://gateway\\.test/api/v1/files/narrations/${userId}/${id}/narration-1\\.ogg\\?expires=\\d+&signature=`));
    const whole = await request(gw.server).get(new URL(done.audioUrl!).pathname + new URL(done.audioUrl!).search).buffer(true);
    expect({ status: whole.status, body: (whole.body as Buffer).toString() }).toEqual({ status: 200, body: 'OggS whole narration' });
    for (const segment of done.segments) {
      const url = new URL(segment.audioUrl!);
      const bytes = await request(gw.server).get(url.pathname + url.search).buffer(true);
      expect(bytes.status).toBe(200);
      expect((bytes.body as Buffer).toString()).toMatch(/^segment \d$/);
    }
    expect(res.body.follows.following.map((f: { id: string }) => f.id)).toEqual([...followed].reverse());
    expect(res.body.follows.followers).toEqual([{ id: expect.any(String), displayName: null, followedAt: expect.any(String) }]);
    expect(gw.story.calls.filter((c) => c.method === 'listFollowing').every((c) => c.context?.bearerToken === token)).toBe(true);
    // 26 narrations, four per call (a narration holds its story's whole text): seven calls, each after the last cursor.
    const listed = gw.narration.calls.slice(callsBefore).filter((c) => c.method === 'listNarrations').map((c) => c.args[0]);
    expect(listed).toEqual([{ limit: 4 }, ...Array.from({ length: 6 }, () => ({ limit: 4, cursor: expect.any(String) }))]);
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
