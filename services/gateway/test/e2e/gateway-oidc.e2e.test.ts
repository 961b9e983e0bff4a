/**
 * End to end: OpenID Connect sign-in through the gateway, the REAL identity service (Postgres,
 * Kafka) and a REAL local OpenID provider (`oidc-provider`, scripts/lib/local-oidc-provider.mjs).
 * The browser is played by `signInAtLocalProvider`. Attacks on the token response (another
 * audience, a replayed nonce, a forged signature) go through identity's fetch hook, which swaps the
 * provider's ID token for another one on its way to openid-client.
 *
 * Account deletion for a provider-only account (no password, ADR 0030): allowed within 10 minutes
 * of the last sign-in. The test moves that sign-in back in identity's table (refresh_tokens.
 * issued_at of the session's first token, which is what identity reads) rather than waiting or
 * changing the window: the 10 minutes stay identity's fixed rule.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import request from 'supertest';
import { signInAtLocalProvider, startLocalOidcProvider, type LocalOidcAccount } from '../../../../scripts/lib/local-oidc-provider.mjs';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { startGateway } from '../support/app.js';
import { authorized, expectProblem, PASSWORD, type Res } from '../support/http.js';

const REDIRECT = 'http://gateway.test/api/v1/auth/oidc/local/callback';
const SLOW_REDIRECT = 'http://gateway.test/api/v1/auth/oidc/slow/callback';
const OTHER_REDIRECT = 'http://other-app.test/callback';
const tag = randomBytes(4).toString('hex');
const account = (name: string, emailVerified = true): LocalOidcAccount => ({
  email: `${name}.${tag}@example.com`,
  password: `${name} password`,
  name: name[0]!.toUpperCase() + name.slice(1),
  emailVerified,
});
const GRACE = account('grace');
const ADA = account('ada');
const LINUS = account('linus');
const MALLORY = account('mallory', false);
const EVE = account('eve', false);
const HOPPER = account('hopper');
const TURING = account('turing');
const ACCOUNTS = [GRACE, ADA, LINUS, MALLORY, EVE, HOPPER, TURING];

/** Swaps the ID token in the provider's token response; undefined = leave it alone. */
let tamper: ((idToken: string) => Promise<string>) | undefined;
const seenIdTokens: string[] = [];

async function tamperingFetch(url: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!new URL(url).pathname.endsWith('/token') || res.status !== 200) return res;
  const body = (await res.json()) as { id_token?: string };
  if (body.id_token) {
    seenIdTokens.push(body.id_token);
    if (tamper) body.id_token = await tamper(body.id_token);
  }
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

describe('gateway ⇄ identity ⇄ local OpenID provider (real services, Postgres, Kafka)', () => {
  let provider: { issuer: string; close(): Promise<void> };
  let slowProvider: { issuer: string; close(): Promise<void> };
  let identity: RunningIdentity | undefined;
  let gateway: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let db: pg.Client;

  beforeAll(async () => {
    const clients = [
      { clientId: 'storytelling', clientSecret: 'storytelling-secret', redirectUris: [REDIRECT] },
      { clientId: 'other-app', clientSecret: 'other-secret', redirectUris: [OTHER_REDIRECT] },
    ];
    provider = await startLocalOidcProvider({ clients, accounts: ACCOUNTS });
    slowProvider = await startLocalOidcProvider({
      clients: [{ clientId: 'storytelling', clientSecret: 'storytelling-secret', redirectUris: [SLOW_REDIRECT] }],
      accounts: ACCOUNTS,
      codeTtlSeconds: 1,
    });
    const oidcEnv = {
      OIDC_PROVIDERS: 'local,slow,down',
      // Nothing listens on port 9 of the loopback: a provider that is down.
      OIDC_DOWN_ISSUER: 'http://127.0.0.1:9',
      OIDC_DOWN_CLIENT_ID: 'storytelling',
      OIDC_DOWN_CLIENT_SECRET: 'storytelling-secret',
      OIDC_DOWN_REDIRECT_URI: 'http://gateway.test/api/v1/auth/oidc/down/callback',
      OIDC_LOCAL_ISSUER: provider.issuer,
      OIDC_LOCAL_CLIENT_ID: 'storytelling',
      OIDC_LOCAL_CLIENT_SECRET: 'storytelling-secret',
      OIDC_LOCAL_REDIRECT_URI: REDIRECT,
      OIDC_SLOW_ISSUER: slowProvider.issuer,
      OIDC_SLOW_CLIENT_ID: 'storytelling',
      OIDC_SLOW_CLIENT_SECRET: 'storytelling-secret',
      OIDC_SLOW_REDIRECT_URI: SLOW_REDIRECT,
    };
    identity = await startIdentity(oidcEnv, { oidc: { fetch: tamperingFetch } });
    gateway = await startGateway({ IDENTITY_GRPC_URL: identity.handle.grpcUrl!, GRPC_DEADLINE_MS: '5000' });
    http = gateway.getHttpServer();
    db = new pg.Client({ connectionString: identity.env.DATABASE_URL });
    await db.connect();
    await db.query(`SET search_path TO ${identity.env.DATABASE_SCHEMA}`);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await gateway?.close();
    await identity?.close();
    await provider?.close();
    await slowProvider?.close();
  });

  afterEach(() => {
    tamper = undefined;
  });

  async function start(name = 'local'): Promise<URL> {
    const res = await request(http).get(`/api/v1/auth/oidc/${name}/start`);
    expect(res.status).toBe(302);
    return new URL(res.headers.location as string);
  }

  /** start → the provider's login → the URL the browser is sent back to (code, state, iss). */
  async function signIn(who: LocalOidcAccount, name = 'local'): Promise<URL> {
    const back = await signInAtLocalProvider((await start(name)).href, who);
    expect(back.searchParams.get('code')).toBeTruthy();
    return back;
  }

  const callback = (back: URL, name = 'local', state?: string): Promise<Res> => {
    const query = new URLSearchParams(back.search);
    if (state !== undefined) query.set('state', state);
    return request(http).get(`/api/v1/auth/oidc/${name}/callback?${query}`);
  };

  const usersWithEmail = async (email: string) => (await db.query(`SELECT id FROM users WHERE email = $1`, [email])).rows;

  it('start redirects to the provider with code flow, PKCE S256, state and nonce; the state is kept only hashed', async () => {
    const location = await start();
    expect(location.origin).toBe(new URL(provider.issuer).origin);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('storytelling');
    expect(q.get('redirect_uri')).toBe(REDIRECT);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    const hash = createHash('sha256').update(q.get('state')!).digest('hex');
    const rows = (await db.query(`SELECT provider, nonce, code_verifier, expires_at FROM oidc_login_attempts WHERE state_hash = $1`, [hash])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].nonce).toBe(q.get('nonce'));
    // The verifier stays server-side: only its S256 challenge left.
    expect(createHash('sha256').update(rows[0].code_verifier).digest('base64url')).toBe(q.get('code_challenge'));
  });

  it('the whole flow: a verified new person gets an account (register shape), then signs in again to the same one', async () => {
    const first = await callback(await signIn(GRACE));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: GRACE.email,
        displayName: 'Grace',
        firstName: null,
        lastName: null,
        language: 'en',
        role: 'member',
        profileImageUrl: null,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
    });
    const me = await request(http).get('/api/v1/users/me').set('authorization', `Bearer ${first.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(GRACE.email);
    const links = (await db.query(`SELECT provider, subject FROM user_oauth_links WHERE user_id = $1`, [first.body.user.id])).rows;
    expect(links).toEqual([{ provider: 'local', subject: GRACE.email }]);

    const again = await callback(await signIn(GRACE));
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
    expect(await usersWithEmail(GRACE.email)).toHaveLength(1);
    const refreshed = await request(http).post('/api/v1/auth/refresh').send({ refreshToken: again.body.refreshToken });
    expect(refreshed.status).toBe(200);
  }, 60_000);

  it('a verified email links to the existing password account, which keeps its password', async () => {
    const reg = await request(http).post('/api/v1/auth/register').send({ email: ADA.email, password: PASSWORD, displayName: 'Ada L' });
    expect(reg.status).toBe(201);
    const res = await callback(await signIn(ADA));
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(reg.body.user.id);
    expect(res.body.user.displayName).toBe('Ada L');
    const login = await request(http).post('/api/v1/auth/login').send({ email: ADA.email, password: PASSWORD });
    expect(login.status).toBe(200);
  }, 60_000);

  it('a state that identity did not issue is 400 OIDC_STATE_INVALID, and the real one still works', async () => {
    const back = await signIn(LINUS);
    expectProblem(await callback(back, 'local', randomBytes(32).toString('base64url')), 400, 'OIDC_STATE_INVALID');
    expect((await callback(back)).status).toBe(200);
  }, 60_000);

  it('a state started for another provider is 400 OIDC_STATE_INVALID', async () => {
    const back = await signIn(LINUS, 'slow');
    expectProblem(await callback(back, 'local'), 400, 'OIDC_STATE_INVALID');
  }, 60_000);

  it('a reused callback (same code and state) is 400 OIDC_STATE_INVALID: the state is single-use', async () => {
    const back = await signIn(LINUS);
    expect((await callback(back)).status).toBe(200);
    expectProblem(await callback(back), 400, 'OIDC_STATE_INVALID');
  }, 60_000);

  it('an expired attempt is 400 OIDC_STATE_INVALID', async () => {
    const back = await signIn(LINUS);
    const hash = createHash('sha256').update(back.searchParams.get('state')!).digest('hex');
    await db.query(`UPDATE oidc_login_attempts SET expires_at = now() - interval '1 second' WHERE state_hash = $1`, [hash]);
    expectProblem(await callback(back), 400, 'OIDC_STATE_INVALID');
  }, 60_000);

  it('an expired code is 401 OIDC_LOGIN_FAILED (the provider refuses it)', async () => {
    const back = await signIn(LINUS, 'slow');
    await new Promise((r) => setTimeout(r, 2_100));
    expectProblem(await callback(back, 'slow'), 401, 'OIDC_LOGIN_FAILED');
  }, 60_000);

  it('an unverified email neither creates an account nor links to an existing one: 403 OIDC_EMAIL_NOT_VERIFIED', async () => {
    expectProblem(await callback(await signIn(MALLORY)), 403, 'OIDC_EMAIL_NOT_VERIFIED');
    expect(await usersWithEmail(MALLORY.email)).toHaveLength(0);

    const reg = await request(http).post('/api/v1/auth/register').send({ email: EVE.email, password: PASSWORD, displayName: 'Eve' });
    expect(reg.status).toBe(201);
    expectProblem(await callback(await signIn(EVE)), 403, 'OIDC_EMAIL_NOT_VERIFIED');
    expect((await db.query(`SELECT 1 FROM user_oauth_links WHERE user_id = $1`, [reg.body.user.id])).rows).toHaveLength(0);
  }, 60_000);

  it('an ID token for another client (wrong audience) is 401 OIDC_LOGIN_FAILED', async () => {
    const foreign = await idTokenForOtherApp(LINUS);
    expect(decodeJwt(foreign).aud).toBe('other-app');
    tamper = async () => foreign;
    expectProblem(await callback(await signIn(LINUS)), 401, 'OIDC_LOGIN_FAILED');
  }, 60_000);

  it('a replayed ID token (the nonce of an earlier sign-in) is 401 OIDC_LOGIN_FAILED', async () => {
    expect((await callback(await signIn(LINUS))).status).toBe(200);
    const earlier = seenIdTokens.at(-1)!;
    tamper = async () => earlier;
    expectProblem(await callback(await signIn(LINUS)), 401, 'OIDC_LOGIN_FAILED');
  }, 60_000);

  it('an ID token with the right claims but not signed by the provider is 401 OIDC_LOGIN_FAILED', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    tamper = async (real) => {
      const header = JSON.parse(Buffer.from(real.split('.')[0]!, 'base64url').toString()) as { kid: string };
      return new SignJWT(decodeJwt(real)).setProtectedHeader({ alg: 'RS256', kid: header.kid }).sign(privateKey);
    };
    expectProblem(await callback(await signIn(LINUS)), 401, 'OIDC_LOGIN_FAILED');
  }, 60_000);

  it('the provider answering error=access_denied is 401 OIDC_LOGIN_FAILED and spends the attempt', async () => {
    const state = (await start()).searchParams.get('state')!;
    const declined = await request(http).get(`/api/v1/auth/oidc/local/callback?${new URLSearchParams({ error: 'access_denied', state })}`);
    expectProblem(declined, 401, 'OIDC_LOGIN_FAILED');
    const late = await request(http).get(`/api/v1/auth/oidc/local/callback?${new URLSearchParams({ code: 'x', state })}`);
    expectProblem(late, 400, 'OIDC_STATE_INVALID');
  });

  it('a provider that cannot be reached is 503 SERVICE_UNAVAILABLE with Retry-After, and no attempt is kept', async () => {
    const before = Number((await db.query(`SELECT count(*) AS n FROM oidc_login_attempts`)).rows[0].n);
    const res = await request(http).get('/api/v1/auth/oidc/down/start');
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeDefined();
    expect(Number((await db.query(`SELECT count(*) AS n FROM oidc_login_attempts`)).rows[0].n)).toBe(before);
  });

  it('an unknown provider is 404 OIDC_PROVIDER_NOT_FOUND', async () => {
    expectProblem(await request(http).get('/api/v1/auth/oidc/nope/start'), 404, 'OIDC_PROVIDER_NOT_FOUND');
  });

  /** Moves the start of every session of the user `minutes` into the past (their last sign-in, as identity reads it). */
  const signedInMinutesAgo = (userId: string, minutes: number) =>
    db.query(`UPDATE refresh_tokens SET issued_at = now() - make_interval(mins => $2) WHERE user_id = $1`, [userId, minutes]);

  it('a provider-only account deletes itself without a password when it signed in within 10 minutes; older is 403 REAUTHENTICATION_REQUIRED (a refresh does not count as a sign-in)', async () => {
    const signedIn = await callback(await signIn(TURING));
    expect(signedIn.status).toBe(200);
    const user = signedIn.body.user as { id: string };
    expect((await db.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id])).rows).toEqual([{ password_hash: null }]);
    const me = authorized(http, signedIn.body.accessToken as string);

    await signedInMinutesAgo(user.id, 11);
    expectProblem(await me.delete('/api/v1/users/me').send({}), 403, 'REAUTHENTICATION_REQUIRED');
    // A password proves nothing for an account that has none.
    expectProblem(await me.delete('/api/v1/users/me').send({ password: PASSWORD }), 403, 'REAUTHENTICATION_REQUIRED');
    // Refreshing keeps the session going but is not a new sign-in.
    const refreshed = await request(http).post('/api/v1/auth/refresh').send({ refreshToken: signedIn.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expectProblem(await authorized(http, refreshed.body.accessToken as string).delete('/api/v1/users/me').send({}), 403, 'REAUTHENTICATION_REQUIRED');
    expect((await me.get('/api/v1/users/me')).status).toBe(200);

    await signedInMinutesAgo(user.id, 9);
    expect((await me.delete('/api/v1/users/me').send({})).status).toBe(202);
    expectProblem(await me.get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');
  }, 60_000);

  it('after a provider-only account is deleted, its tokens are refused and signing in with the provider again makes a new, empty account: the deleted one stays deleted', async () => {
    const first = await callback(await signIn(HOPPER));
    expect(first.status).toBe(200);
    const oldId = first.body.user.id as string;
    const old = authorized(http, first.body.accessToken as string);
    expect((await old.patch('/api/v1/users/me', { firstName: 'Grace', lastName: 'Hopper' })).status).toBe(200);

    expect((await old.delete('/api/v1/users/me').send({})).status).toBe(202);
    expectProblem(await old.get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');
    expectProblem(await request(http).post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }), 401);
    // The tombstone has no email and no link left to sign in to.
    expect((await db.query(`SELECT is_active, email FROM users WHERE id = $1`, [oldId])).rows).toEqual([{ is_active: false, email: `deleted-${oldId}@deleted.invalid` }]);
    expect((await db.query(`SELECT 1 FROM user_oauth_links WHERE user_id = $1`, [oldId])).rows).toEqual([]);

    const again = await callback(await signIn(HOPPER));
    expect(again.status).toBe(200);
    expect(again.body.user).toMatchObject({ email: HOPPER.email, displayName: 'Hopper', firstName: null, lastName: null });
    expect(again.body.user.id).not.toBe(oldId);
    const fresh = await authorized(http, again.body.accessToken as string).get('/api/v1/users/me');
    expect(fresh.status).toBe(200);
    expect(fresh.body.id).toBe(again.body.user.id);
    // The old account is still deleted and its token still refused.
    expect((await db.query(`SELECT is_active FROM users WHERE id = $1`, [oldId])).rows).toEqual([{ is_active: false }]);
    expectProblem(await old.get('/api/v1/users/me'), 401, 'TOKEN_REVOKED');
    expect((await db.query(`SELECT user_id FROM user_oauth_links WHERE provider = 'local' AND subject = $1`, [HOPPER.email])).rows).toEqual([{ user_id: again.body.user.id }]);
  }, 60_000);

  /** A real sign-in of `who` by another client of the same provider: its ID token (aud other-app). */
  async function idTokenForOtherApp(who: LocalOidcAccount): Promise<string> {
    const verifier = randomBytes(32).toString('base64url');
    const auth = new URL('/auth', provider.issuer);
    auth.search = new URLSearchParams({
      client_id: 'other-app',
      response_type: 'code',
      redirect_uri: OTHER_REDIRECT,
      scope: 'openid email profile',
      state: 'other-state',
      nonce: 'other-nonce',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const back = await signInAtLocalProvider(auth.href, who);
    const res = await fetch(new URL('/token', provider.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('other-app:other-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: OTHER_REDIRECT, code_verifier: verifier }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id_token: string }).id_token;
  }
});
