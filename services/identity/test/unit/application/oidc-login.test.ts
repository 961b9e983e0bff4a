import { FixedClock } from '@storytelling/kernel';
import {
  CompleteOidcLoginCommand,
  CompleteOidcLoginHandler,
  DeleteAccountCommand,
  DeleteAccountHandler,
  RECENT_SIGN_IN_MS,
  RegisterCommand,
  Sessions,
  StartOidcLoginCommand,
  StartOidcLoginHandler,
  type OidcAuthorizationRequest,
  type OidcCallback,
  type OidcLoginAttempt,
  type OidcLoginAttempts,
  type OidcProvider,
  type OidcVerifiedIdentity,
} from '../../../src/application/index.js';
import { IdentityEventTypes } from '../../../src/domain/index.js';
import { OpaqueRefreshTokens } from '../../../src/infrastructure/security/opaque-refresh-tokens.js';
import { failure, unitApp, type UnitApp } from '../../support/unit-app.js';

/** A provider that vouches for whatever identity the test sets, and remembers what it was asked. */
class ScriptedProvider implements OidcProvider {
  readonly name = 'idp';
  readonly redirectUri = 'https://api.test/api/v1/auth/oidc/idp/callback';
  identity: Omit<OidcVerifiedIdentity, 'provider'> = { subject: 'sub-1', email: 'ann@example.com', emailVerified: true, displayName: 'Ann' };
  requests: OidcAuthorizationRequest[] = [];
  exchanges: OidcCallback[] = [];
  async authorizationUrl(request: OidcAuthorizationRequest): Promise<string> {
    this.requests.push(request);
    return `https://idp.test/auth?state=${request.state}`;
  }
  async exchange(callback: OidcCallback): Promise<OidcVerifiedIdentity> {
    this.exchanges.push(callback);
    return { provider: this.name, ...this.identity };
  }
}

class MemoryAttempts implements OidcLoginAttempts {
  readonly rows = new Map<string, OidcLoginAttempt>();
  async save(stateHash: string, attempt: OidcLoginAttempt): Promise<void> {
    this.rows.set(stateHash, attempt);
  }
  async take(stateHash: string): Promise<OidcLoginAttempt | undefined> {
    const row = this.rows.get(stateHash);
    this.rows.delete(stateHash);
    return row;
  }
}

describe('OIDC sign-in (application)', () => {
  let app: UnitApp;
  let clock: FixedClock;
  let provider: ScriptedProvider;
  let attempts: MemoryAttempts;
  let start: StartOidcLoginHandler;
  let complete: CompleteOidcLoginHandler;

  beforeEach(async () => {
    app = await unitApp();
    clock = app.clock;
    provider = new ScriptedProvider();
    attempts = new MemoryAttempts();
    const secrets = new OpaqueRefreshTokens();
    const registry = { get: (name: string) => (name === provider.name ? provider : undefined) };
    const sessions = new Sessions(app.tokens, secrets, app.settings, clock);
    start = new StartOidcLoginHandler(registry, attempts, secrets, 600, clock);
    complete = new CompleteOidcLoginHandler(registry, attempts, secrets, app.uow, sessions, clock);
  });

  async function signIn() {
    await start.execute(new StartOidcLoginCommand('idp'));
    const state = provider.requests.at(-1)!.state;
    return complete.execute(new CompleteOidcLoginCommand('idp', 'a-code', state));
  }

  it('start keeps the nonce and verifier for the callback, and the callback hands them to the provider', async () => {
    await start.execute(new StartOidcLoginCommand('idp'));
    const request = provider.requests[0]!;
    expect(request.codeVerifier).toMatch(/^[\w-]{43}$/);
    expect(new Set([request.state, request.nonce, request.codeVerifier]).size).toBe(3);
    expect([...attempts.rows.keys()]).not.toContain(request.state);
    await complete.execute(new CompleteOidcLoginCommand('idp', 'a-code', request.state));
    expect(provider.exchanges[0]).toEqual({ code: 'a-code', state: request.state, codeVerifier: request.codeVerifier, nonce: request.nonce });
  });

  it('a new verified person becomes a passwordless member: UserRegistered, then UserAuthenticated (OIDC, provider)', async () => {
    const r = await signIn();
    expect(r.user).toMatchObject({ email: 'ann@example.com', displayName: 'Ann', role: 'member' });
    expect(app.uow.events.map((e) => e.type)).toEqual([IdentityEventTypes.UserRegistered, IdentityEventTypes.UserAuthenticated]);
    expect(app.uow.eventsOfType(IdentityEventTypes.UserAuthenticated)[0]!.data).toMatchObject({ method: 'AUTHENTICATION_METHOD_OIDC', provider: 'idp' });
    const stored = await app.uow.reader.users.findById(r.user.id);
    expect(stored!.passwordHash).toBeNull();
    expect(stored!.linkedIdentities.map((l) => [l.provider, l.subject])).toEqual([['idp', 'sub-1']]);
  });

  it('without a usable name, the display name is the email local part', async () => {
    provider.identity = { subject: 'sub-2', email: 'bob@example.com', emailVerified: true, displayName: 'x'.repeat(500) };
    expect((await signIn()).user.displayName).toBe('bob');
  });

  it('a linked identity signs in by (provider, subject) even when the email claim later reads unverified or changed', async () => {
    const first = await signIn();
    provider.identity = { subject: 'sub-1', email: 'new-address@example.com', emailVerified: false };
    const again = await signIn();
    expect(again.user.id).toBe(first.user.id);
    expect(again.user.email).toBe('ann@example.com');
  });

  it('an unverified email is refused even when no account has it, and the provider identity stays unlinked', async () => {
    provider.identity = { subject: 'sub-3', email: 'eve@example.com', emailVerified: false };
    expect(await failure(signIn())).toBe('forbidden:OIDC_EMAIL_NOT_VERIFIED');
    expect(await app.uow.reader.users.findByLinkedIdentity('idp', 'sub-3')).toBeUndefined();
    provider.identity = { subject: 'sub-4', emailVerified: true };
    expect(await failure(signIn())).toBe('forbidden:OIDC_EMAIL_NOT_VERIFIED');
  });

  it('a deactivated account does not sign in through its provider', async () => {
    const r = await app.register.execute(new RegisterCommand('ann@example.com', 'correct horse battery', 'Ann'));
    await app.uow.run(async (repos) => {
      const u = (await repos.users.findById(r.user.id))!;
      u.deactivate(null);
      await repos.users.save(u);
    });
    expect(await failure(signIn())).toBe('unauthenticated:INVALID_CREDENTIALS');
  });

  it('the state is checked before the code is redeemed: unknown, or expired to the second', async () => {
    expect(await failure(complete.execute(new CompleteOidcLoginCommand('idp', 'a-code', 'forged-state')))).toBe('validation:OIDC_STATE_INVALID');
    await start.execute(new StartOidcLoginCommand('idp'));
    const state = provider.requests.at(-1)!.state;
    clock.advance(600_000);
    expect(await failure(complete.execute(new CompleteOidcLoginCommand('idp', 'a-code', state)))).toBe('validation:OIDC_STATE_INVALID');
    expect(provider.exchanges).toHaveLength(0);
  });

  it('a callback without a code (the provider answered error=access_denied) spends the attempt: OIDC_LOGIN_FAILED, then OIDC_STATE_INVALID', async () => {
    await start.execute(new StartOidcLoginCommand('idp'));
    const state = provider.requests.at(-1)!.state;
    expect(await failure(complete.execute(new CompleteOidcLoginCommand('idp', '', state)))).toBe('unauthenticated:OIDC_LOGIN_FAILED');
    expect(await failure(complete.execute(new CompleteOidcLoginCommand('idp', 'a-code', state)))).toBe('validation:OIDC_STATE_INVALID');
    expect(await failure(complete.execute(new CompleteOidcLoginCommand('idp', 'a-code', '')))).toBe('validation:VALIDATION_FAILED');
    expect(provider.exchanges).toHaveLength(0);
  });

  it('an unknown provider is OIDC_PROVIDER_NOT_FOUND at start and callback', async () => {
    expect(await failure(start.execute(new StartOidcLoginCommand('nope')))).toBe('not_found:OIDC_PROVIDER_NOT_FOUND');
    expect(await failure(complete.execute(new CompleteOidcLoginCommand('nope', 'c', 's')))).toBe('not_found:OIDC_PROVIDER_NOT_FOUND');
  });

  describe('deleting an account that signs in only with a provider (no password)', () => {
    const deleteAccount = () => new DeleteAccountHandler(app.uow, app.hasher, app.settings, clock);

    it('is allowed within 10 minutes of a sign-in: tombstone, links dropped, tokens revoked, user:<id> denylisted', async () => {
      const session = await signIn();
      const id = session.user.id;
      clock.advance(RECENT_SIGN_IN_MS - 1000);
      await deleteAccount().execute(new DeleteAccountCommand(id, undefined));
      const user = app.uow.tables.users.get(id)!;
      expect(user.active).toBe(false);
      expect(user.email.value).toBe(`deleted-${id}@deleted.invalid`);
      expect(user.linkedIdentities).toEqual([]);
      expect(user.profile.displayName).toBe('Deleted user');
      expect(app.uow.tokens.filter((t) => t.userId === id && t.revokedAt === null)).toEqual([]);
      expect(app.uow.tables.revocations.get(`user:${id}`)?.expiresAt.getTime()).toBe(clock.now().getTime() + (900 + 60) * 1000);
      expect(app.uow.eventsOfType(IdentityEventTypes.UserDeactivated).map((e) => e.aggregateId)).toEqual([id]);
    });

    it('is REAUTHENTICATION_REQUIRED when the last sign-in is older than 10 minutes; a new sign-in allows it', async () => {
      const session = await signIn();
      clock.advance(RECENT_SIGN_IN_MS + 1000);
      expect(await failure(deleteAccount().execute(new DeleteAccountCommand(session.user.id, undefined)))).toBe('forbidden:REAUTHENTICATION_REQUIRED');
      expect(app.uow.tables.users.get(session.user.id)!.active).toBe(true);
      await signIn();
      await deleteAccount().execute(new DeleteAccountCommand(session.user.id, undefined));
      expect(app.uow.tables.users.get(session.user.id)!.active).toBe(false);
    });
  });
});
