/**
 * End to end: DELETE /users/me and the access-token denylist (docs/adr/0030), through the gateway
 * in front of the REAL identity service (real PostgreSQL and Kafka). A second gateway stands for
 * another instance: it learns revocations only from identity's feed (polled every 200 ms).
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EventProbe, waitUntil } from '@storytelling/testing';
import { migratedDataSource } from '../../../identity/test/support/db.js';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { startGateway } from '../support/app.js';
import { FakeStory } from '../support/fake-story.js';
import { authorized, expectProblem, PASSWORD, uniqueEmail } from '../support/http.js';

const USER_DEACTIVATED = 'storytelling.identity.user.deactivated.v1';

describe('account deletion and revoked access tokens (real identity, Postgres, Kafka)', () => {
  let identity: RunningIdentity | undefined;
  let gateway: INestApplication;
  let other: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let otherHttp: ReturnType<INestApplication['getHttpServer']>;
  let probe: EventProbe;

  beforeAll(async () => {
    probe = await EventProbe.start('identity.user.events');
    identity = await startIdentity();
    const env = { IDENTITY_GRPC_URL: identity.handle.grpcUrl!, GRPC_DEADLINE_MS: '3000', RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_AUTH_PER_MINUTE: '1000' };
    gateway = await startGateway({ ...env, DENYLIST_POLL_INTERVAL_MS: '0' }, { story: new FakeStory() });
    other = await startGateway({ ...env, DENYLIST_POLL_INTERVAL_MS: '200' }, { story: new FakeStory() });
    http = gateway.getHttpServer();
    otherHttp = other.getHttpServer();
  }, 120_000);

  afterAll(async () => {
    await probe?.close();
    await gateway?.close();
    await other?.close();
    await identity?.close();
  });

  async function signUp(name: string) {
    const email = uniqueEmail(name);
    const res = await request(http).post('/api/v1/auth/register').send({ email, password: PASSWORD, displayName: name });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as string, email, accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string };
  }

  it('a wrong or missing password is 403 REAUTHENTICATION_REQUIRED and changes nothing', async () => {
    const user = await signUp('Wrong');
    expectProblem(await authorized(http, user.accessToken).delete('/api/v1/users/me').send({ password: 'not the password' }), 403, 'REAUTHENTICATION_REQUIRED');
    expectProblem(await authorized(http, user.accessToken).delete('/api/v1/users/me').send({}), 403, 'REAUTHENTICATION_REQUIRED');
    expectProblem(await authorized(http, user.accessToken).delete('/api/v1/users/me').send({ password: 42 }), 400, 'VALIDATION_FAILED');
    expect((await authorized(http, user.accessToken).get('/api/v1/users/me')).status).toBe(200);
    expect((await request(http).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD })).status).toBe(200);
  });

  it('DELETE /users/me → 202: tokens refused at once, login refused, UserDeactivated, identity keeps only a tombstone', async () => {
    const user = await signUp('Leaver');
    const second = await request(http).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
    expect(second.status).toBe(200);
    expect((await authorized(http, user.accessToken).patch('/api/v1/users/me', { firstName: 'Lea', lastName: 'Vers' })).status).toBe(200);
    // Verified once on both gateways, so a cached verification must not let it through later.
    expect((await authorized(otherHttp, second.body.accessToken as string).get('/api/v1/users/me')).status).toBe(200);

    // The relay has published the user's events (UserRegistered names the email) before deletion.
    const events = await migratedDataSource();
    await waitUntil(async () => (await events.query(`SELECT 1 FROM domain_events WHERE aggregate_id = $1 AND published_at IS NULL`, [user.id])).length === 0, 10_000);
    await events.destroy();

    const deleted = await authorized(http, user.accessToken).delete('/api/v1/users/me').send({ password: PASSWORD });
    expect(deleted.status).toBe(202);

    // At once on this gateway, for the token of the request and every other token of the user.
    expectProblem(await authorized(http, user.accessToken).get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');
    expectProblem(await authorized(http, second.body.accessToken as string).get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');
    // Another instance: within its poll interval (identity itself refuses an inactive caller, but
    // the gateway must not even forward the request).
    await waitUntil(async () => (await authorized(otherHttp, second.body.accessToken as string).get('/api/v1/users/me')).body.code === 'TOKEN_REVOKED', 5000);
    expectProblem(await authorized(otherHttp, user.accessToken).get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');

    expectProblem(await request(http).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401);
    expectProblem(await request(http).post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }), 401);
    expectProblem(await request(http).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');

    const event = await probe.waitFor((ev) => ev.envelope.type === USER_DEACTIVATED && ev.envelope.subject === user.id);
    expect(JSON.stringify(event.envelope)).not.toContain(user.email);

    const ds = await migratedDataSource();
    try {
      const [row] = (await ds.query(`SELECT * FROM users WHERE id = $1`, [user.id])) as Array<Record<string, unknown>>;
      expect(row).toBeDefined();
      expect(row!.is_active).toBe(false);
      const text = JSON.stringify(row);
      for (const personal of [user.email, 'Leaver', 'Lea', 'Vers']) expect(text).not.toContain(personal);
      expect(row!.password_hash).toBeNull();
      expect(await ds.query(`SELECT 1 FROM user_oauth_links WHERE user_id = $1`, [user.id])).toEqual([]);
      const live = (await ds.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [user.id])) as Array<{ n: number }>;
      expect(live[0]!.n).toBe(0);
      // The outbox keeps only what is not published yet (UserDeactivated), none of it personal.
      const outbox = JSON.stringify(await ds.query(`SELECT * FROM domain_events WHERE aggregate_id = $1`, [user.id]));
      for (const personal of [user.email, 'Leaver', 'Lea', 'Vers']) expect(outbox).not.toContain(personal);
    } finally {
      await ds.destroy();
    }
    // The email is free again: a new account, not the old one.
    const again = await request(http).post('/api/v1/auth/register').send({ email: user.email, password: PASSWORD, displayName: 'New' });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(user.id);
  });

  it("logout: the request's access token is refused at once (and by other instances after a poll); other sessions still work", async () => {
    const user = await signUp('Logout');
    const other_session = await request(http).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
    expect((await authorized(otherHttp, user.accessToken).get('/api/v1/users/me')).status).toBe(200);

    expect((await authorized(http, user.accessToken).post('/api/v1/auth/logout', { refreshToken: user.refreshToken })).status).toBe(204);

    expectProblem(await authorized(http, user.accessToken).get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');
    expectProblem(await request(http).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401);
    await waitUntil(async () => (await authorized(otherHttp, user.accessToken).get('/api/v1/users/me')).body.code === 'TOKEN_REVOKED', 5000);
    expect((await authorized(http, other_session.body.accessToken as string).get('/api/v1/users/me')).status).toBe(200);
  });
});
