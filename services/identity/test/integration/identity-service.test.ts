import { identityEvents } from '@storytelling/contracts';
import { AccessTokenVerifier, DEFAULT_JWT_AUDIENCE, DEFAULT_JWT_ISSUER } from '@storytelling/platform';
import { EventProbe, type ProbedEvent } from '@storytelling/testing';
import { ROLE_IDS } from '../../src/domain/index.js';
import { bearer, outcome, startIdentity, uniqueEmail, type RunningIdentity } from '../support/app-harness.js';

const PASSWORD = 'correct horse battery';

describe('identity service (in-process, real Postgres and Kafka)', () => {
  let app: RunningIdentity;
  let userEvents: EventProbe;
  let roleEvents: EventProbe;
  let rootToken: string;

  beforeAll(async () => {
    [userEvents, roleEvents] = await Promise.all([EventProbe.start('identity.user.events'), EventProbe.start('identity.role.events')]);
    app = await startIdentity();
    rootToken = (await app.client.login({ email: app.superAdmin.email, password: app.superAdmin.password })).accessToken;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([userEvents?.close(), roleEvents?.close()]);
  });

  const register = (email = uniqueEmail(), displayName = 'Ann') => app.client.register({ email, password: PASSWORD, displayName });

  it('register answers user + tokens and publishes UserRegistered as a CloudEvent without secrets', async () => {
    const email = uniqueEmail('ann');
    const res = await app.client.register({ email: email.toUpperCase(), password: PASSWORD, displayName: 'Ann', language: 'pt-br' });
    expect(res.user).toMatchObject({ email, displayName: 'Ann', language: 'pt-BR', role: 'member' });
    expect(res.user!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(res.expiresIn).toBe(900);
    const userId = res.user!.id;

    const event = await userEvents.waitFor(
      (e) => e.envelope.type === 'storytelling.identity.user.registered.v1' && e.envelope.subject === userId,
    );
    const env = event.envelope;
    expect(env).toMatchObject({
      specversion: '1.0',
      source: '/storytelling/identity',
      type: 'storytelling.identity.user.registered.v1',
      subject: userId,
      datacontenttype: 'application/json',
      aggregateversion: 1,
    });
    expect(env.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(env.time as string).toISOString()).toBe(env.time);
    expect(event.key).toBe(userId);
    expect(event.topic).toBe(`${app.env.KAFKA_TOPIC_PREFIX}identity.user.events`);
    // data is the proto JSON mapping: it survives the generated codec unchanged
    expect(identityEvents.UserRegistered.toJSON(identityEvents.UserRegistered.fromJSON(env.data))).toEqual(env.data);
    expect(env.data).toEqual({ userId, email, displayName: 'Ann', language: 'pt-BR', role: 'member', registeredAt: expect.any(String) });
    const raw = JSON.stringify(env);
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain('argon2');
    expect(raw).not.toContain(res.refreshToken);
    expect(raw).not.toContain(res.accessToken);
  });

  it('a taken email is ALREADY_EXISTS / EMAIL_TAKEN, whatever its case', async () => {
    const email = uniqueEmail('dup');
    await register(email);
    expect(await outcome(register(email.toUpperCase()))).toBe('ALREADY_EXISTS:EMAIL_TAKEN');
    expect(await outcome(register(`  ${email}`))).toBe('ALREADY_EXISTS:EMAIL_TAKEN');
  });

  it('login: right password signs in (UserAuthenticated); unknown email and wrong password look the same', async () => {
    const email = uniqueEmail('li');
    const { user } = await register(email);
    const res = await app.client.login({ email: email.toUpperCase(), password: PASSWORD });
    expect(res.user!.id).toBe(user!.id);
    await userEvents.waitFor((e) => e.envelope.type === 'storytelling.identity.user.authenticated.v1' && e.envelope.subject === user!.id);
    const authenticated = userEvents.ofType<Record<string, unknown>>('storytelling.identity.user.authenticated.v1').find(
      (e) => e.envelope.subject === user!.id,
    )!;
    expect(authenticated.envelope.data).toEqual({
      userId: user!.id,
      method: 'AUTHENTICATION_METHOD_PASSWORD',
      authenticatedAt: expect.any(String),
    });
    expect(await outcome(app.client.login({ email, password: 'wrong password!' }))).toBe('UNAUTHENTICATED:INVALID_CREDENTIALS');
    expect(await outcome(app.client.login({ email: uniqueEmail('nobody'), password: PASSWORD }))).toBe('UNAUTHENTICATED:INVALID_CREDENTIALS');
    expect(await outcome(app.client.login({ email: '', password: '' }))).toBe('UNAUTHENTICATED:INVALID_CREDENTIALS');
  });

  it('refresh rotates; presenting a rotated token is TOKEN_REUSED and revokes the whole family', async () => {
    const first = await register();
    const second = await app.client.refreshToken({ refreshToken: first.refreshToken });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = await app.client.refreshToken({ refreshToken: second.refreshToken });
    expect(await outcome(app.client.refreshToken({ refreshToken: first.refreshToken }))).toBe('UNAUTHENTICATED:TOKEN_REUSED');
    // the family is gone: the newest token fails too
    expect(await outcome(app.client.refreshToken({ refreshToken: third.refreshToken }))).toBe('UNAUTHENTICATED:INVALID_REFRESH_TOKEN');
    // other sessions of the user are untouched
    const other = await app.client.login({ email: first.user!.email, password: PASSWORD });
    expect(await outcome(app.client.refreshToken({ refreshToken: other.refreshToken }))).toBe('ok');
  });

  it('logout revokes the session; repeating it still succeeds; it needs a caller', async () => {
    const session = await register();
    const rotated = await app.client.refreshToken({ refreshToken: session.refreshToken });
    expect(await app.client.logout({ refreshToken: rotated.refreshToken }, bearer(rotated.accessToken))).toEqual({});
    expect(await app.client.logout({ refreshToken: rotated.refreshToken }, bearer(rotated.accessToken))).toEqual({});
    expect(await outcome(app.client.refreshToken({ refreshToken: rotated.refreshToken }))).toBe('UNAUTHENTICATED:INVALID_REFRESH_TOKEN');
    expect(await outcome(app.client.logout({ refreshToken: rotated.refreshToken }))).toBe('UNAUTHENTICATED:UNAUTHENTICATED');
  });

  it('GetMe and UpdateProfile: absent fields stay, empty clears, If-Match guards; UserProfileUpdated is published', async () => {
    const { accessToken, user } = await register();
    const updated = await app.client.updateProfile(
      { firstName: 'Ann', lastName: 'Lee', profileImageUrl: 'https://img.example.com/a.png' },
      bearer(accessToken),
    );
    expect(updated.user).toMatchObject({ displayName: 'Ann', firstName: 'Ann', lastName: 'Lee', profileImageUrl: 'https://img.example.com/a.png' });
    const cleared = await app.client.updateProfile({ lastName: '', language: 'fr' }, bearer(accessToken));
    expect(cleared.user!.lastName).toBeUndefined();
    expect(cleared.user).toMatchObject({ firstName: 'Ann', language: 'fr' });
    expect((await app.client.getMe({}, bearer(accessToken))).user).toEqual(cleared.user);
    const event = await userEvents.waitFor<Record<string, unknown>>(
      (e) => e.envelope.type === 'storytelling.identity.user.profile_updated.v1' && e.envelope.subject === user!.id && e.envelope.aggregateversion === 3,
    );
    expect(event.envelope.data).toEqual({
      userId: user!.id,
      displayName: 'Ann',
      firstName: 'Ann',
      language: 'fr',
      profileImageUrl: 'https://img.example.com/a.png',
      changedFields: ['lastName', 'language'],
      updatedAt: expect.any(String),
    });
    // version is 3 now (registered, updated, updated)
    const stale = { metadata: { authorization: `Bearer ${accessToken}`, 'if-match': '"2"' } };
    expect(await outcome(app.client.updateProfile({ firstName: 'X' }, stale))).toBe('FAILED_PRECONDITION:VERSION_CONFLICT');
    const fresh = { metadata: { authorization: `Bearer ${accessToken}`, 'if-match': '3' } };
    expect(await outcome(app.client.updateProfile({ firstName: 'Y' }, fresh))).toBe('ok');
  });

  it('concurrent profile updates from the same version: exactly one VERSION_CONFLICT', async () => {
    const { accessToken } = await register();
    const at1 = { metadata: { authorization: `Bearer ${accessToken}`, 'if-match': '1' } };
    const results = await Promise.all([
      outcome(app.client.updateProfile({ firstName: 'One' }, at1)),
      outcome(app.client.updateProfile({ firstName: 'Two' }, at1)),
    ]);
    expect(results.sort()).toEqual(['FAILED_PRECONDITION:VERSION_CONFLICT', 'ok']);
  });

  it('GetUser: self, admins and support see the user; others get NOT_FOUND whether or not it exists', async () => {
    const ann = await register();
    const bob = await register();
    const support = await register();
    await app.client.assignRole({ userId: support.user!.id, role: 'customer-support' }, bearer(rootToken));
    const supportToken = (await app.client.login({ email: support.user!.email, password: PASSWORD })).accessToken;
    expect((await app.client.getUser({ userId: ann.user!.id }, bearer(ann.accessToken))).user!.id).toBe(ann.user!.id);
    expect((await app.client.getUser({ userId: ann.user!.id }, bearer(rootToken))).user!.id).toBe(ann.user!.id);
    expect((await app.client.getUser({ userId: ann.user!.id }, bearer(supportToken))).user!.id).toBe(ann.user!.id);
    expect(await outcome(app.client.getUser({ userId: ann.user!.id }, bearer(bob.accessToken)))).toBe('NOT_FOUND:USER_NOT_FOUND');
    expect(await outcome(app.client.getUser({ userId: '0190a1b2-0000-7000-8000-000000000001' }, bearer(bob.accessToken)))).toBe(
      'NOT_FOUND:USER_NOT_FOUND',
    );
    const batch = await app.client.getUsers({ userIds: [bob.user!.id, ann.user!.id, '0190a1b2-0000-7000-8000-000000000001'] }, bearer(bob.accessToken));
    expect(batch.users.map((u) => u.id)).toEqual([bob.user!.id, ann.user!.id]);
  });

  it('role assignment: admins assign the lower roles, only super-admin grants admin, nobody changes their own role', async () => {
    const adminUser = await register();
    const ann = await register();
    expect((await app.client.assignRole({ userId: adminUser.user!.id, role: 'admin' }, bearer(rootToken))).user!.role).toBe('admin');
    const adminToken = (await app.client.login({ email: adminUser.user!.email, password: PASSWORD })).accessToken;
    expect((await app.client.assignRole({ userId: ann.user!.id, role: 'content-moderator' }, bearer(adminToken))).user!.role).toBe(
      'content-moderator',
    );
    expect(await outcome(app.client.assignRole({ userId: ann.user!.id, role: 'admin' }, bearer(adminToken)))).toBe(
      'PERMISSION_DENIED:ROLE_ASSIGNMENT_FORBIDDEN',
    );
    expect(await outcome(app.client.assignRole({ userId: adminUser.user!.id, role: 'member' }, bearer(adminToken)))).toBe(
      'PERMISSION_DENIED:CANNOT_CHANGE_OWN_ROLE',
    );
    expect(await outcome(app.client.assignRole({ userId: adminUser.user!.id, role: 'member' }, bearer(ann.accessToken)))).toBe(
      'PERMISSION_DENIED:FORBIDDEN',
    );
    const rootId = (await app.client.getMe({}, bearer(rootToken))).user!.id;
    expect(await outcome(app.client.assignRole({ userId: rootId, role: 'admin' }, bearer(rootToken)))).toBe(
      'PERMISSION_DENIED:CANNOT_CHANGE_OWN_ROLE',
    );
    const assigned = await userEvents.waitFor<Record<string, unknown>>(
      (e) => e.envelope.type === 'storytelling.identity.user.role_assigned.v1' && e.envelope.subject === ann.user!.id,
    );
    expect(assigned.envelope.data).toEqual({
      userId: ann.user!.id,
      role: 'content-moderator',
      previousRole: 'member',
      assignedBy: adminUser.user!.id,
      assignedAt: expect.any(String),
    });
  });

  it('roles: admin lists them; super-admin grants (idempotently) → PermissionGranted; CheckPermission follows', async () => {
    const mod = await register();
    await app.client.assignRole({ userId: mod.user!.id, role: 'content-moderator' }, bearer(rootToken));
    const resource = `comments-${Date.now().toString(36)}`;
    const check = (token: string, subjectUserId = '') => app.client.checkPermission({ subjectUserId, resource, action: 'hide' }, bearer(token));
    expect(await check(mod.accessToken)).toEqual({ allowed: false, role: 'content-moderator' });

    const granted = await app.client.grantPermission({ role: 'content-moderator', resource, action: 'hide' }, bearer(rootToken));
    expect(granted.role!.permissions).toContainEqual({ resource, action: 'hide' });
    await app.client.grantPermission({ role: 'content-moderator', resource, action: 'hide' }, bearer(rootToken));
    const event = await roleEvents.waitFor<Record<string, unknown>>(
      (e) => e.envelope.type === 'storytelling.identity.role.permission_granted.v1' && (e.envelope.data as { resource?: string }).resource === resource,
    );
    expect(event.envelope.subject).toBe(ROLE_IDS['content-moderator']);
    expect(event.key).toBe(ROLE_IDS['content-moderator']);
    expect(event.envelope.data).toMatchObject({ role: 'content-moderator', resource, action: 'hide' });
    expect(await check(mod.accessToken)).toEqual({ allowed: true, role: 'content-moderator' });
    expect(await check(rootToken, mod.user!.id)).toEqual({ allowed: true, role: 'content-moderator' });
    expect(await outcome(check(mod.accessToken, (await register()).user!.id))).toBe('PERMISSION_DENIED:FORBIDDEN');
    expect(await outcome(app.client.grantPermission({ role: 'member', resource, action: 'x' }, bearer(mod.accessToken)))).toBe(
      'PERMISSION_DENIED:FORBIDDEN',
    );

    const roles = await app.client.listRoles({}, bearer(rootToken));
    expect(roles.roles.map((r) => r.name)).toEqual(['member', 'admin', 'super-admin', 'customer-support', 'content-moderator']);
    expect(await outcome(app.client.listRoles({}, bearer(mod.accessToken)))).toBe('PERMISSION_DENIED:FORBIDDEN');
    // the duplicate grant published nothing
    await new Promise((r) => setTimeout(r, 500));
    expect(roleEvents.received.filter((e) => (e.envelope.data as { resource?: string }).resource === resource)).toHaveLength(1);
  });

  it('bad input is INVALID_ARGUMENT (never INTERNAL); missing or bad tokens are UNAUTHENTICATED', async () => {
    const { accessToken } = await register();
    const auth = bearer(accessToken);
    const cases: Array<[Promise<unknown>, string]> = [
      [app.client.register({ email: '', password: '', displayName: '' }), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.register({ email: 'not-an-email', password: PASSWORD, displayName: 'A' }), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.register({ email: uniqueEmail(), password: 'short', displayName: 'A' }), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.refreshToken({ refreshToken: '' }), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.getUser({ userId: 'not-a-uuid' }, auth), 'INVALID_ARGUMENT:INVALID_ID'],
      [app.client.getUser({ userId: '' }, auth), 'INVALID_ARGUMENT:INVALID_ID'],
      [app.client.getUsers({ userIds: ['x'] }, auth), 'INVALID_ARGUMENT:INVALID_ID'],
      [app.client.assignRole({ userId: 'nope', role: 'member' }, bearer(rootToken)), 'INVALID_ARGUMENT:INVALID_ID'],
      [app.client.assignRole({ userId: '0190a1b2-0000-7000-8000-000000000001', role: 'wizard' }, bearer(rootToken)), 'INVALID_ARGUMENT:INVALID_ROLE'],
      [app.client.grantPermission({ role: 'member', resource: '', action: '' }, bearer(rootToken)), 'INVALID_ARGUMENT:INVALID_PERMISSION'],
      [app.client.checkPermission({ subjectUserId: 'bad', resource: 'a', action: 'b' }, auth), 'INVALID_ARGUMENT:INVALID_ID'],
      [app.client.checkPermission({ subjectUserId: '', resource: '', action: '' }, auth), 'INVALID_ARGUMENT:INVALID_PERMISSION'],
      [app.client.updateProfile({ language: 'not a language' }, auth), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.updateProfile({ profileImageUrl: 'javascript:alert(1)' }, auth), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.updateProfile({ displayName: '' }, auth), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.updateProfile({}, { metadata: { authorization: `Bearer ${accessToken}`, 'if-match': 'abc' } }), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.startOidcLogin({ provider: '', redirectUri: '' }), 'INVALID_ARGUMENT:VALIDATION_FAILED'],
      [app.client.startOidcLogin({ provider: 'google', redirectUri: 'https://x' }), 'NOT_FOUND:OIDC_PROVIDER_NOT_FOUND'],
      [app.client.getMe({}), 'UNAUTHENTICATED:UNAUTHENTICATED'],
      [app.client.getMe({}, bearer('garbage')), 'UNAUTHENTICATED:INVALID_TOKEN'],
      [app.client.getMe({}, { metadata: { authorization: 'Basic abc' } }), 'UNAUTHENTICATED:UNAUTHENTICATED'],
      [app.client.getUsers({ userIds: [] }), 'UNAUTHENTICATED:UNAUTHENTICATED'],
    ];
    const results = await Promise.all(cases.map(([p]) => outcome(p)));
    expect(results).toEqual(cases.map(([, expected]) => expected));
  });

  it('access tokens verify with the platform verifier against GetJwks, with the gateway defaults for iss/aud', async () => {
    const { accessToken, user } = await register();
    const verifier = new AccessTokenVerifier({
      jwks: () => app.client.getJwks({}),
      issuer: DEFAULT_JWT_ISSUER,
      audience: DEFAULT_JWT_AUDIENCE,
    });
    expect(await verifier.verify(accessToken)).toMatchObject({ userId: user!.id, role: 'member', email: user!.email });
    const jwks = (await (await fetch(`${app.handle.httpUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks).toEqual(await app.client.getJwks({}));
    expect(jwks.keys[0].kid).toBe(app.env.JWT_KEY_ID);
  });

  it('serves /health and /ready', async () => {
    expect((await fetch(`${app.handle.httpUrl}/health`)).status).toBe(200);
    expect((await fetch(`${app.handle.httpUrl}/ready`)).status).toBe(200);
  });
});

export type { ProbedEvent };
