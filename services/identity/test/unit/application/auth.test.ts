import { jest } from '@jest/globals';
import { DomainError, VersionConflictError } from '@storytelling/kernel';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  LoginCommand,
  LogoutCommand,
  RefreshCommand,
  RegisterCommand,
  BootstrapSuperAdminCommand,
} from '../../../src/application/index.js';
import { IdentityEventTypes, type User } from '../../../src/domain/index.js';
import { failure, unitApp, type UnitApp } from '../../support/unit-app.js';

/** The next `times` saves of a user fail as if another transaction had changed it first. */
function conflictingSaves(app: UnitApp, times: number): { thrown: number } {
  const state = { thrown: 0 };
  const run = Object.getPrototypeOf(app.uow).run.bind(app.uow) as typeof app.uow.run;
  jest.spyOn(app.uow, 'run').mockImplementation((work, options) =>
    run(
      (repos) =>
        work({
          ...repos,
          users: Object.assign(Object.create(repos.users) as typeof repos.users, {
            save: async (user: User) => {
              if (state.thrown < times) {
                state.thrown++;
                throw new VersionConflictError(user.id, user.loadedVersion);
              }
              return repos.users.save(user);
            },
          }),
        }),
      options,
    ),
  );
  return state;
}

describe('register', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('creates a member, returns tokens and records UserRegistered in the outbox', async () => {
    const r = await app.register.execute(new RegisterCommand('Ann@Example.com', 'correct horse battery', 'Ann', 'pt-br'));
    expect(r.user).toMatchObject({ email: 'ann@example.com', displayName: 'Ann', language: 'pt-BR', role: 'member', version: 1 });
    expect(r.expiresIn).toBe(900);
    expect(r.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(r.accessToken);
    expect(claims).toMatchObject({ sub: r.user.id, role: 'member', email: 'ann@example.com', iss: 'test-issuer', aud: 'test-audience' });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(typeof claims.jti).toBe('string');
    expect(decodeProtectedHeader(r.accessToken)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    expect(app.uow.eventsOfType(IdentityEventTypes.UserRegistered)).toHaveLength(1);
    // only the hash of the refresh token is stored; the password hash never leaves the aggregate
    expect(app.uow.tokens).toHaveLength(1);
    expect(app.uow.tokens[0]!.tokenHash).not.toBe(r.refreshToken);
    expect(JSON.stringify(app.uow.events)).not.toContain('fake$');
  });

  it('refuses a taken email, case-insensitively, with 409 EMAIL_TAKEN', async () => {
    await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    expect(await failure(app.register.execute(new RegisterCommand(' ANN@example.COM', 'another password!', 'Ann 2')))).toBe(
      'conflict:EMAIL_TAKEN',
    );
    expect(app.uow.eventsOfType(IdentityEventTypes.UserRegistered)).toHaveLength(1);
  });

  it('lists every invalid field at once', async () => {
    try {
      await app.register.execute(new RegisterCommand('nope', 'short', '', 'xx-'));
      throw new Error('expected failure');
    } catch (err) {
      expect((err as DomainError).kind).toBe('validation');
      expect((err as DomainError).fieldErrors.map((f) => f.field).sort()).toEqual(['displayName', 'email', 'language', 'password']);
    }
    expect(app.uow.events).toHaveLength(0);
  });
});

describe('login', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
    await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
  });

  it('signs in with the right password (any email case) and records UserAuthenticated', async () => {
    const r = await app.login.execute(new LoginCommand('ANN@example.com', 'correct horse battery'));
    expect(r.user.email).toBe('ann@example.com');
    const events = app.uow.eventsOfType(IdentityEventTypes.UserAuthenticated);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ userId: r.user.id, method: 'AUTHENTICATION_METHOD_PASSWORD' });
    expect(app.uow.tokens).toHaveLength(2); // a new family per sign-in
  });

  it('answers the same for unknown email, malformed email and wrong password, after the same hashing work', async () => {
    const before = app.hasher.verifications;
    expect(await failure(app.login.execute(new LoginCommand('ann@example.com', 'wrong password!!')))).toBe(
      'unauthenticated:INVALID_CREDENTIALS',
    );
    expect(await failure(app.login.execute(new LoginCommand('bob@example.com', 'correct horse battery')))).toBe(
      'unauthenticated:INVALID_CREDENTIALS',
    );
    expect(await failure(app.login.execute(new LoginCommand('not-an-email', 'correct horse battery')))).toBe(
      'unauthenticated:INVALID_CREDENTIALS',
    );
    expect(app.hasher.verifications - before).toBe(3);
    expect(app.uow.eventsOfType(IdentityEventTypes.UserAuthenticated)).toHaveLength(0);
  });

  it('commits the sign-in in one unit of work: the UserAuthenticated event and a new token family together', async () => {
    const commits = app.uow.commits;
    const tokens = app.uow.tokens.length;
    await app.login.execute(new LoginCommand('ann@example.com', 'correct horse battery'));
    expect(app.uow.commits - commits).toBe(1);
    expect(app.uow.tokens).toHaveLength(tokens + 1);
  });

  it('retries when a concurrent change moved the user on, and gives up with VERSION_CONFLICT after three tries', async () => {
    const conflicts = conflictingSaves(app, 2);
    const r = await app.login.execute(new LoginCommand('ann@example.com', 'correct horse battery'));
    expect(conflicts.thrown).toBe(2);
    // the failed attempts left nothing behind: one event, one new token family
    expect(app.uow.eventsOfType(IdentityEventTypes.UserAuthenticated).map((e) => e.aggregateId)).toEqual([r.user.id]);
    expect(app.uow.tokens).toHaveLength(2);

    conflictingSaves(app, 3);
    expect(await failure(app.login.execute(new LoginCommand('ann@example.com', 'correct horse battery')))).toBe(
      'precondition:VERSION_CONFLICT',
    );
    expect(app.uow.eventsOfType(IdentityEventTypes.UserAuthenticated)).toHaveLength(1);
    expect(app.uow.tokens).toHaveLength(2);
  });

  it('refuses a deactivated account with the same answer', async () => {
    await app.uow.run(async (repos) => {
      const u = (await repos.users.findByEmail((await import('../../../src/domain/index.js')).Email.parse('ann@example.com')))!;
      u.deactivate(null, 'test');
      await repos.users.save(u);
    });
    expect(await failure(app.login.execute(new LoginCommand('ann@example.com', 'correct horse battery')))).toBe(
      'unauthenticated:INVALID_CREDENTIALS',
    );
  });
});

describe('refresh and logout', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('rotates: the new pair works, the old token is retired', async () => {
    const r = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    const next = await app.refresh.execute(new RefreshCommand(r.refreshToken));
    expect(next.refreshToken).not.toBe(r.refreshToken);
    expect(decodeJwt(next.accessToken).sub).toBe(r.user.id);
    const third = await app.refresh.execute(new RefreshCommand(next.refreshToken));
    expect(third.refreshToken).not.toBe(next.refreshToken);
    const familyIds = new Set(app.uow.tokens.map((t) => t.familyId));
    expect(familyIds.size).toBe(1);
    expect(app.uow.tokens.filter((t) => t.rotatedAt === null)).toHaveLength(1);
    // a refresh is not a sign-in: only UserRegistered is in the outbox
    expect(app.uow.events.map((e) => e.type)).toEqual([IdentityEventTypes.UserRegistered]);
  });

  it('reuse of a rotated token revokes the whole family and says TOKEN_REUSED', async () => {
    const r = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    const next = await app.refresh.execute(new RefreshCommand(r.refreshToken));
    expect(await failure(app.refresh.execute(new RefreshCommand(r.refreshToken)))).toBe('unauthenticated:TOKEN_REUSED');
    expect(app.uow.tokens.every((t) => t.revokedAt !== null)).toBe(true);
    // the thief's (or the victim's) current token is dead too
    expect(await failure(app.refresh.execute(new RefreshCommand(next.refreshToken)))).toBe('unauthenticated:INVALID_REFRESH_TOKEN');
  });

  it('the revocation of a reused family commits even when the unit of work around the refresh fails', async () => {
    const r = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    await app.refresh.execute(new RefreshCommand(r.refreshToken));
    const outer = app.uow.run(async () => {
      await app.refresh.execute(new RefreshCommand(r.refreshToken));
    });
    expect(await failure(outer)).toBe('unauthenticated:TOKEN_REUSED');
    expect(app.uow.tokens).toHaveLength(2);
    expect(app.uow.tokens.every((t) => t.revokedAt !== null)).toBe(true);
  });

  it('reuse revokes only that family; other sessions live on', async () => {
    const r = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    const other = await app.login.execute(new LoginCommand('ann@example.com', 'correct horse battery'));
    await app.refresh.execute(new RefreshCommand(r.refreshToken));
    await failure(app.refresh.execute(new RefreshCommand(r.refreshToken)));
    await expect(app.refresh.execute(new RefreshCommand(other.refreshToken))).resolves.toBeDefined();
  });

  it('rejects unknown and expired tokens with INVALID_REFRESH_TOKEN, and empty ones as invalid input', async () => {
    const r = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    expect(await failure(app.refresh.execute(new RefreshCommand('x'.repeat(43))))).toBe('unauthenticated:INVALID_REFRESH_TOKEN');
    expect(await failure(app.refresh.execute(new RefreshCommand('')))).toBe('validation:VALIDATION_FAILED');
    app.clock.advance(app.settings.refreshTokenTtlSeconds * 1000);
    expect(await failure(app.refresh.execute(new RefreshCommand(r.refreshToken)))).toBe('unauthenticated:INVALID_REFRESH_TOKEN');
  });

  it('logout revokes the family; repeating it or using a foreign or unknown token is harmless', async () => {
    const ann = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    const bob = await app.register.execute(new RegisterCommand('bob@example.com', 'correct horse battery', 'Bob'));
    const rotated = await app.refresh.execute(new RefreshCommand(ann.refreshToken));
    await app.logout.execute(new LogoutCommand(ann.user.id, rotated.refreshToken));
    await app.logout.execute(new LogoutCommand(ann.user.id, rotated.refreshToken));
    await app.logout.execute(new LogoutCommand(ann.user.id, 'unknown-token'));
    await app.logout.execute(new LogoutCommand(ann.user.id, bob.refreshToken)); // not Ann's: ignored
    expect(await failure(app.refresh.execute(new RefreshCommand(rotated.refreshToken)))).toBe('unauthenticated:INVALID_REFRESH_TOKEN');
    await expect(app.refresh.execute(new RefreshCommand(bob.refreshToken))).resolves.toBeDefined();
    const annTokens = app.uow.tokens.filter((t) => t.userId === ann.user.id);
    expect(annTokens.length).toBeGreaterThan(0);
    expect(annTokens.every((t) => t.revokedAt !== null)).toBe(true);
    expect(app.uow.events.map((e) => e.type)).toEqual([IdentityEventTypes.UserRegistered, IdentityEventTypes.UserRegistered]);
  });

  it('logout answers an empty or oversized token without touching anything', async () => {
    const ann = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    expect(await failure(app.logout.execute(new LogoutCommand(ann.user.id, '')))).toBe('validation:VALIDATION_FAILED');
    const commits = app.uow.commits;
    await app.logout.execute(new LogoutCommand(ann.user.id, 'x'.repeat(513)));
    expect(app.uow.commits).toBe(commits);
    expect(app.uow.tokens.every((t) => t.revokedAt === null)).toBe(true);
  });
});

describe('first super-admin', () => {
  it('is created once, through UserRegistered then RoleAssigned, and later starts change nothing', async () => {
    const app = await unitApp();
    const first = await app.bootstrap.execute(new BootstrapSuperAdminCommand('Root@Example.com', 'bootstrap password'));
    const second = await app.bootstrap.execute(new BootstrapSuperAdminCommand('root@example.com', 'another password'));
    expect(first).toMatchObject({ created: true, role: 'super-admin' });
    expect(second).toEqual({ created: false, userId: first.userId, role: 'super-admin' });
    expect(app.uow.events.map((e) => e.type)).toEqual([IdentityEventTypes.UserRegistered, IdentityEventTypes.RoleAssigned]);
    expect(app.uow.events[1]!.data).toEqual({
      userId: first.userId,
      role: 'super-admin',
      previousRole: 'member',
      assignedAt: expect.any(String),
    });
    const login = await app.login.execute(new LoginCommand('root@example.com', 'bootstrap password'));
    expect(login.user.role).toBe('super-admin');
  });

  it('refuses a weak configured password', async () => {
    const app = await unitApp();
    await expect(app.bootstrap.execute(new BootstrapSuperAdminCommand('root@example.com', 'short'))).rejects.toThrow(/too short/);
  });
});
