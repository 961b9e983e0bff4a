import { DomainError, systemClock } from '@storytelling/kernel';
import type { DataSource } from 'typeorm';
import {
  AssignRoleCommand,
  BootstrapSuperAdminHandler,
  BootstrapSuperAdminCommand,
  GrantPermissionCommand,
  GrantPermissionHandler,
  LoginCommand,
  LoginHandler,
  RefreshCommand,
  RefreshHandler,
  RegisterCommand,
  RegisterHandler,
  Sessions,
  UpdateProfileCommand,
  UpdateProfileHandler,
  AssignRoleHandler,
  CheckPermissionHandler,
  CheckPermissionQuery,
} from '../../src/application/index.js';
import { Email, ROLE_IDS } from '../../src/domain/index.js';
import { Argon2PasswordHasher } from '../../src/infrastructure/security/argon2-password-hasher.js';
import { JwtAccessTokens } from '../../src/infrastructure/security/jwt-access-tokens.js';
import { OpaqueRefreshTokens } from '../../src/infrastructure/security/opaque-refresh-tokens.js';
import { loadSigningKeys } from '../../src/infrastructure/security/signing-keys.js';
import { migratedDataSource, postgresUnitOfWork, uniqueEmail } from '../support/db.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}

describe('identity persistence (real Postgres)', () => {
  let ds: DataSource;
  let h: Awaited<ReturnType<typeof handlers>>;

  async function handlers() {
    const uow = postgresUnitOfWork(ds);
    const hasher = new Argon2PasswordHasher({ memoryCost: 8192, timeCost: 2, parallelism: 1 });
    const secrets = new OpaqueRefreshTokens();
    const settings = { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600 };
    const keys = await loadSigningKeys({ production: false, warn: () => undefined });
    const tokens = new JwtAccessTokens(keys, { issuer: 'i', audience: 'a', accessTokenTtlSeconds: 900 }, systemClock);
    const sessions = new Sessions(tokens, secrets, settings, systemClock);
    return {
      uow,
      register: new RegisterHandler(uow, hasher, sessions, systemClock),
      login: new LoginHandler(uow, hasher, sessions),
      refresh: new RefreshHandler(uow, secrets, settings, sessions, systemClock),
      updateProfile: new UpdateProfileHandler(uow),
      assignRole: new AssignRoleHandler(uow),
      grant: new GrantPermissionHandler(uow),
      check: new CheckPermissionHandler(uow),
      bootstrap: new BootstrapSuperAdminHandler(uow, hasher, systemClock),
    };
  }

  beforeAll(async () => {
    ds = await migratedDataSource();
    h = await handlers();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  const events = (aggregateId: string) =>
    ds.query(`SELECT type, version, topic, data FROM domain_events WHERE aggregate_id = $1 ORDER BY version`, [aggregateId]) as Promise<
      Array<{ type: string; version: number; topic: string; data: Record<string, unknown> }>
    >;

  it('seeds the five roles under their stable ids', async () => {
    const rows: Array<{ id: string; name: string }> = await ds.query(`SELECT id, name FROM roles ORDER BY name`);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.id]))).toEqual(ROLE_IDS);
  });

  it('register writes the user and UserRegistered in one transaction; the row and the aggregate agree on version', async () => {
    const email = uniqueEmail('ann');
    const r = await h.register.execute(new RegisterCommand(email.toUpperCase(), 'correct horse battery', 'Ann'));
    const [row] = await ds.query(`SELECT email, version, password_hash FROM users WHERE id = $1`, [r.user.id]);
    expect(row.email).toBe(email);
    expect(row.version).toBe(1);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const log = await events(r.user.id);
    expect(log.map((e) => [e.type, e.version, e.topic])).toEqual([['storytelling.identity.user.registered.v1', 1, 'identity.user.events']]);
    expect(JSON.stringify(log[0]!.data)).not.toMatch(/argon2|correct horse/);
    const [token] = await ds.query(`SELECT token_hash FROM refresh_tokens WHERE user_id = $1`, [r.user.id]);
    expect(token.token_hash).toHaveLength(64);
    expect(token.token_hash).not.toBe(r.refreshToken);
  });

  it('concurrent registrations of one email (any case): exactly one wins, the other is EMAIL_TAKEN', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all([
      codeOf(h.register.execute(new RegisterCommand(email, 'correct horse battery', 'A'))),
      codeOf(h.register.execute(new RegisterCommand(email.toUpperCase(), 'correct horse battery', 'B'))),
      codeOf(h.register.execute(new RegisterCommand(` ${email}`, 'correct horse battery', 'C'))),
    ]);
    expect(results.sort()).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'ok']);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]);
    expect(n).toBe(1);
  });

  it('concurrent profile updates from the same version: one wins, the other is VERSION_CONFLICT', async () => {
    const r = await h.register.execute(new RegisterCommand(uniqueEmail('cc'), 'correct horse battery', 'Ann'));
    const results = await Promise.all([
      codeOf(h.updateProfile.execute(new UpdateProfileCommand(r.user.id, { firstName: 'One' }, 1))),
      codeOf(h.updateProfile.execute(new UpdateProfileCommand(r.user.id, { firstName: 'Two' }, 1))),
    ]);
    expect(results.sort()).toEqual(['VERSION_CONFLICT', 'ok']);
    const log = await events(r.user.id);
    expect(log.map((e) => e.version)).toEqual([1, 2]);
    const [row] = await ds.query(`SELECT version, first_name FROM users WHERE id = $1`, [r.user.id]);
    expect(row.version).toBe(2);
    expect(row.first_name).toBe((log[1]!.data as { firstName: string }).firstName);
  });

  it('concurrent refreshes with one token: one rotates, the other is reuse and kills the family', async () => {
    const r = await h.register.execute(new RegisterCommand(uniqueEmail('rf'), 'correct horse battery', 'Ann'));
    const results = await Promise.all([
      codeOf(h.refresh.execute(new RefreshCommand(r.refreshToken))),
      codeOf(h.refresh.execute(new RefreshCommand(r.refreshToken))),
    ]);
    expect(results.sort()).toEqual(['TOKEN_REUSED', 'ok']);
    const rows: Array<{ revoked_at: Date | null }> = await ds.query(`SELECT revoked_at FROM refresh_tokens WHERE user_id = $1`, [r.user.id]);
    expect(rows).toHaveLength(2);
    expect(rows.every((t) => t.revoked_at !== null)).toBe(true);
  });

  it('login records UserAuthenticated; logins racing on one user both succeed (retry on version conflict)', async () => {
    const email = uniqueEmail('li');
    const r = await h.register.execute(new RegisterCommand(email, 'correct horse battery', 'Ann'));
    const both = await Promise.all([
      h.login.execute(new LoginCommand(email, 'correct horse battery')),
      h.login.execute(new LoginCommand(email, 'correct horse battery')),
    ]);
    expect(both.map((b) => b.user.id)).toEqual([r.user.id, r.user.id]);
    expect((await events(r.user.id)).map((e) => e.type)).toEqual([
      'storytelling.identity.user.registered.v1',
      'storytelling.identity.user.authenticated.v1',
      'storytelling.identity.user.authenticated.v1',
    ]);
  });

  it('role grants persist with the role version and PermissionGranted on identity.role.events', async () => {
    const root = await h.bootstrap.execute(new BootstrapSuperAdminCommand(uniqueEmail('root'), 'bootstrap password'));
    const member = await h.register.execute(new RegisterCommand(uniqueEmail('m'), 'correct horse battery', 'M'));
    const resource = `res-${Date.now().toString(36)}`;
    expect((await h.check.execute(new CheckPermissionQuery(member.user.id, resource, 'read'))).allowed).toBe(false);
    const [{ version: before }] = await ds.query(`SELECT version FROM roles WHERE name = 'member'`);
    const granted = await h.grant.execute(new GrantPermissionCommand(root.userId, 'member', resource, 'read'));
    expect(granted.created).toBe(true);
    expect((await h.grant.execute(new GrantPermissionCommand(root.userId, 'member', resource, 'read'))).created).toBe(false);
    const [{ version: after }] = await ds.query(`SELECT version FROM roles WHERE name = 'member'`);
    expect(after).toBe(before + 1);
    const [event] = await ds.query(`SELECT topic, data FROM domain_events WHERE aggregate_id = $1 AND version = $2`, [ROLE_IDS.member, after]);
    expect(event.topic).toBe('identity.role.events');
    expect(event.data).toMatchObject({ role: 'member', resource, action: 'read', grantedBy: root.userId });
    expect((await h.check.execute(new CheckPermissionQuery(member.user.id, resource, 'read'))).allowed).toBe(true);
  });

  it('bootstrap is idempotent and assigns super-admin through events', async () => {
    const email = uniqueEmail('boot');
    const [a, b] = await Promise.all([
      h.bootstrap.execute(new BootstrapSuperAdminCommand(email, 'bootstrap password')),
      h.bootstrap.execute(new BootstrapSuperAdminCommand(email, 'bootstrap password')),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.userId).toBe(b.userId);
    expect((await events(a.userId)).map((e) => e.type)).toEqual([
      'storytelling.identity.user.registered.v1',
      'storytelling.identity.user.role_assigned.v1',
    ]);
    const user = await h.uow.reader.users.findByEmail(Email.parse(email));
    expect(user?.role).toBe('super-admin');
  });

  it('super-admins demoting each other concurrently: exactly one demotion happens', async () => {
    const a = await h.bootstrap.execute(new BootstrapSuperAdminCommand(uniqueEmail('sa'), 'bootstrap password'));
    const b = await h.bootstrap.execute(new BootstrapSuperAdminCommand(uniqueEmail('sb'), 'bootstrap password'));
    const results = await Promise.all([
      codeOf(h.assignRole.execute(new AssignRoleCommand(a.userId, b.userId, 'member'))),
      codeOf(h.assignRole.execute(new AssignRoleCommand(b.userId, a.userId, 'member'))),
    ]);
    // the loser was demoted before its own assignment ran: it is no longer allowed to assign
    expect(results.sort()).toEqual(['FORBIDDEN', 'ok']);
    const roles: Array<{ role: string }> = await ds.query(`SELECT role FROM users WHERE id = ANY($1)`, [[a.userId, b.userId]]);
    expect(roles.map((r) => r.role).sort()).toEqual(['member', 'super-admin']);
  });
});
