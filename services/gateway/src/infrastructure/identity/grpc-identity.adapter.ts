import type { identity } from '@storytelling/contracts';
import type {
  AuthSession,
  IdentityPort,
  Jwks,
  LoginInput,
  OidcCallbackInput,
  PermissionView,
  ProfilePatch,
  RegisterInput,
  RevokedAccessToken,
  RoleView,
  TokenPair,
  UserView,
} from '../../application/identity.port.js';
import { isRole, type Role } from '../../domain/roles.js';
import type { GrpcClient, GrpcHealthProbe } from '@storytelling/platform';

/** The identity service's gRPC client (promise-based, built from the peer table by connectPeer). */
export type IdentityGrpcClient = GrpcClient<identity.IdentityServiceClient>;

/** A service answered something the published contract does not allow: a 500, never shown. */
export class ContractViolationError extends Error {
  constructor(what: string, service = 'identity') {
    super(`${service} answered an invalid ${what}`);
    this.name = 'ContractViolationError';
  }
}

const orNull = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);

export function toUserView(user: identity.User | undefined): UserView {
  if (!user || !user.id || !isRole(user.role)) throw new ContractViolationError('user');
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    firstName: orNull(user.firstName),
    lastName: orNull(user.lastName),
    language: user.language,
    role: user.role,
    profileImageUrl: orNull(user.profileImageUrl),
    createdAt: user.createdAt,
  };
}

function toRoleView(role: identity.Role | undefined): RoleView {
  if (!role || !isRole(role.name)) throw new ContractViolationError('role');
  return { name: role.name, permissions: (role.permissions ?? []).map((p) => ({ resource: p.resource, action: p.action })) };
}

function toSession(res: identity.RegisterResponse | identity.LoginResponse): AuthSession {
  return { user: toUserView(res.user), accessToken: res.accessToken, refreshToken: res.refreshToken, expiresIn: res.expiresIn };
}

/**
 * IdentityPort over identity's gRPC API. The bearer token and correlation id travel as
 * metadata (set by the client helper from the request context); errors stay gRPC service
 * errors and are mapped to problems by the filter.
 */
export class GrpcIdentityAdapter implements IdentityPort {
  constructor(
    private readonly client: IdentityGrpcClient,
    private readonly health: GrpcHealthProbe,
  ) {}

  async register(input: RegisterInput): Promise<AuthSession> {
    const req: identity.RegisterRequest = {
      email: input.email,
      password: input.password,
      displayName: input.displayName,
      ...(input.language !== undefined ? { language: input.language } : {}),
    };
    return toSession(await this.client.register(req));
  }

  async login(input: LoginInput): Promise<AuthSession> {
    return toSession(await this.client.login({ email: input.email, password: input.password }));
  }

  async startOidcLogin(provider: string): Promise<{ authorizationUrl: string }> {
    const res = await this.client.startOidcLogin({ provider, redirectUri: '' });
    return { authorizationUrl: res.authorizationUrl };
  }

  async completeOidcLogin(provider: string, callback: OidcCallbackInput): Promise<AuthSession> {
    return toSession(await this.client.completeOidcLogin({ provider, code: callback.code, state: callback.state, redirectUri: '', iss: callback.iss ?? '' }));
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const res = await this.client.refreshToken({ refreshToken });
    return { accessToken: res.accessToken, refreshToken: res.refreshToken, expiresIn: res.expiresIn };
  }

  async logout(refreshToken: string): Promise<void> {
    await this.client.logout({ refreshToken });
  }

  async deleteAccount(password: string | undefined): Promise<void> {
    await this.client.deleteAccount(password !== undefined ? { password } : {});
  }

  async listRevokedAccessTokens(after: string): Promise<RevokedAccessToken[]> {
    const res = await this.client.listRevokedAccessTokens({ revokedAfter: after });
    return (res.tokens ?? []).map((t) => ({ tokenId: t.tokenId, expiresAt: t.expiresAt, revokedAt: t.revokedAt }));
  }

  async getMe(): Promise<UserView> {
    return toUserView((await this.client.getMe({})).user);
  }

  async updateProfile(patch: ProfilePatch): Promise<UserView> {
    // proto3 `optional`: absent = unchanged; "" clears the optional fields.
    const req: identity.UpdateProfileRequest = {};
    if (patch.displayName !== undefined) req.displayName = patch.displayName;
    if (patch.firstName !== undefined) req.firstName = patch.firstName ?? '';
    if (patch.lastName !== undefined) req.lastName = patch.lastName ?? '';
    if (patch.language !== undefined) req.language = patch.language;
    if (patch.profileImageUrl !== undefined) req.profileImageUrl = patch.profileImageUrl ?? '';
    return toUserView((await this.client.updateProfile(req)).user);
  }

  async getUser(id: string): Promise<UserView> {
    return toUserView((await this.client.getUser({ userId: id })).user);
  }

  async assignRole(userId: string, role: Role): Promise<UserView> {
    return toUserView((await this.client.assignRole({ userId, role })).user);
  }

  async listRoles(): Promise<RoleView[]> {
    const res = await this.client.listRoles({});
    return (res.roles ?? []).map(toRoleView);
  }

  async grantPermission(role: Role, permission: PermissionView): Promise<RoleView> {
    const res = await this.client.grantPermission({
      role,
      resource: permission.resource,
      action: permission.action,
    });
    return toRoleView(res.role);
  }

  async getJwks(): Promise<Jwks> {
    const res = await this.client.getJwks({});
    return { keys: (res.keys ?? []).map((k) => ({ kty: k.kty, kid: k.kid, use: k.use, alg: k.alg, n: k.n, e: k.e })) };
  }

  checkHealth(): Promise<void> {
    return this.health.check('');
  }

  close(): void {
    this.client.close();
    this.health.close();
  }
}
