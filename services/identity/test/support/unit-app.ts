import type { FixedClock } from '@storytelling/kernel';
import { DomainError } from '@storytelling/kernel';
import {
  AssignRoleHandler,
  BootstrapSuperAdminHandler,
  CheckPermissionHandler,
  GetJwksHandler,
  GetMeHandler,
  GetUserHandler,
  GetUsersHandler,
  GrantPermissionHandler,
  IssueServiceTokenHandler,
  ListRolesHandler,
  LoginHandler,
  LogoutHandler,
  RefreshHandler,
  RegisterCommand,
  RegisterHandler,
  Sessions,
  UpdateProfileHandler,
  type AuthResult,
  type TokenSettings,
} from '../../src/application/index.js';
import type { RoleName } from '../../src/domain/index.js';
import { JwtAccessTokens } from '../../src/infrastructure/security/jwt-access-tokens.js';
import { OpaqueRefreshTokens } from '../../src/infrastructure/security/opaque-refresh-tokens.js';
import { ConfiguredServiceCredentials, parseServiceCredentials, serviceSecretHash } from '../../src/infrastructure/security/service-credentials.js';
import { loadSigningKeys } from '../../src/infrastructure/security/signing-keys.js';
import { FakePasswordHasher, InMemoryIdentityUnitOfWork, fixedClock } from './in-memory.js';

/** The fleet service that may ask for service tokens in unit tests, and its secret. */
export const TEST_SERVICE = { name: 'notification', secret: 'notification-test-secret-0123456789' };

/** The application layer wired to in-memory ports, no Nest: handlers are plain classes. */
export async function unitApp(clock: FixedClock = fixedClock()) {
  const uow = new InMemoryIdentityUnitOfWork(clock);
  const hasher = new FakePasswordHasher();
  const secrets = new OpaqueRefreshTokens();
  const settings: TokenSettings = { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600 };
  const keys = await loadSigningKeys({ production: false, warn: () => undefined });
  const tokens = new JwtAccessTokens(keys, { issuer: 'test-issuer', audience: 'test-audience', accessTokenTtlSeconds: 900, serviceTokenTtlSeconds: 300 }, clock);
  const credentials = new ConfiguredServiceCredentials(parseServiceCredentials(`${TEST_SERVICE.name}:${serviceSecretHash(TEST_SERVICE.secret)}`));
  const sessions = new Sessions(tokens, secrets, settings, clock);
  const app = {
    clock,
    uow,
    hasher,
    tokens,
    settings,
    register: new RegisterHandler(uow, hasher, sessions, clock),
    login: new LoginHandler(uow, hasher, sessions),
    refresh: new RefreshHandler(uow, secrets, settings, sessions, clock),
    logout: new LogoutHandler(uow, secrets, clock),
    updateProfile: new UpdateProfileHandler(uow),
    assignRole: new AssignRoleHandler(uow),
    grantPermission: new GrantPermissionHandler(uow),
    bootstrap: new BootstrapSuperAdminHandler(uow, hasher, clock),
    issueServiceToken: new IssueServiceTokenHandler(credentials, tokens),
    getMe: new GetMeHandler(uow),
    getUser: new GetUserHandler(uow),
    getUsers: new GetUsersHandler(uow),
    listRoles: new ListRolesHandler(uow),
    checkPermission: new CheckPermissionHandler(uow),
    getJwks: new GetJwksHandler(tokens),
    /** Registers someone and, when asked, gives them a role directly in the store. */
    async user(email: string, role: RoleName = 'member', displayName = 'Someone'): Promise<AuthResult> {
      const result = await app.register.execute(new RegisterCommand(email, 'correct horse battery', displayName));
      if (role !== 'member') {
        await uow.run(async (repos) => {
          const u = (await repos.users.findById(result.user.id))!;
          u.assignRole(role, null);
          await repos.users.save(u);
        });
      }
      return result;
    },
  };
  return app;
}

export type UnitApp = Awaited<ReturnType<typeof unitApp>>;

/** `kind:code` of the DomainError `p` fails with (anything else fails the test). */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.code}`;
    throw err;
  }
  throw new Error('expected a DomainError');
}
