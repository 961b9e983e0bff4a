import { ValidationError } from '@storytelling/kernel';
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { identity } from '@storytelling/contracts';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import {
  AssignRoleCommand,
  CompleteOidcLoginCommand,
  DeleteAccountCommand,
  ListRevokedAccessTokensQuery,
  CheckPermissionQuery,
  GetJwksQuery,
  GetMeQuery,
  GetUserQuery,
  GetUsersQuery,
  GrantPermissionCommand,
  IssueServiceTokenCommand,
  ListRolesQuery,
  LoginCommand,
  LogoutCommand,
  RefreshCommand,
  RegisterCommand,
  StartOidcLoginCommand,
  UpdateProfileCommand,
  type AuthResult,
  type RoleView,
  type UserView,
} from '../application/index.js';
import type { ProfileChanges } from '../domain/index.js';

/**
 * identity's gRPC surface. It implements the generated controller interface, so the compiler
 * checks it against proto/storytelling/identity/v1/identity_service.proto. Each method turns
 * the request into a command or query; errors are kernel DomainErrors that the platform's gRPC
 * filter maps to status codes (never INTERNAL for bad input). The caller is the platform's
 * `Caller` (CallerResolver, verifying with identity's own keys; service tokens are refused).
 */
@Controller()
@identity.IdentityServiceControllerMethods()
export class IdentityGrpcController implements identity.IdentityServiceController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  async register(request: identity.RegisterRequest): Promise<identity.RegisterResponse> {
    const result = await this.commands.execute(
      new RegisterCommand(request.email, request.password, request.displayName, request.language ?? undefined),
    );
    return authResponse(result);
  }

  async login(request: identity.LoginRequest): Promise<identity.LoginResponse> {
    return authResponse(await this.commands.execute(new LoginCommand(request.email, request.password)));
  }

  async refreshToken(request: identity.RefreshTokenRequest): Promise<identity.RefreshTokenResponse> {
    const pair = await this.commands.execute(new RefreshCommand(request.refreshToken));
    return { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresIn: pair.expiresIn };
  }

  async logout(request: identity.LogoutRequest, metadata?: MetadataLike): Promise<identity.LogoutResponse> {
    const caller = await this.callers.require(metadata);
    const access = caller.tokenId && caller.tokenExpiresAt ? { tokenId: caller.tokenId, expiresAt: caller.tokenExpiresAt } : undefined;
    await this.commands.execute(new LogoutCommand(caller.userId, request.refreshToken, access));
    return {};
  }

  async deleteAccount(request: identity.DeleteAccountRequest, metadata?: MetadataLike): Promise<identity.DeleteAccountResponse> {
    const caller = await this.callers.require(metadata);
    await this.commands.execute(new DeleteAccountCommand(caller.userId, request.password ?? undefined));
    return {};
  }

  /** Public: a `jti` is useless without its token, and the gateway polls this before it has a caller. */
  async listRevokedAccessTokens(request: identity.ListRevokedAccessTokensRequest): Promise<identity.ListRevokedAccessTokensResponse> {
    const after = request.revokedAfter ? new Date(request.revokedAfter) : new Date(0);
    if (Number.isNaN(after.getTime())) throw new ValidationError('revoked_after is not an ISO-8601 time', [{ field: 'revokedAfter', message: 'not an ISO-8601 time' }]);
    const rows = await this.queries.execute(new ListRevokedAccessTokensQuery(after));
    return {
      tokens: rows.map((r) => ({ tokenId: r.tokenId, expiresAt: r.expiresAt.toISOString(), revokedAt: r.revokedAt.toISOString() })),
    };
  }

  /** The redirect URI is identity's configured one (registered at the provider); the request's is not used. */
  async startOidcLogin(request: identity.StartOidcLoginRequest): Promise<identity.StartOidcLoginResponse> {
    requireProvider(request.provider);
    return this.commands.execute(new StartOidcLoginCommand(request.provider));
  }

  async completeOidcLogin(request: identity.CompleteOidcLoginRequest): Promise<identity.CompleteOidcLoginResponse> {
    requireProvider(request.provider);
    return authResponse(await this.commands.execute(new CompleteOidcLoginCommand(request.provider, request.code, request.state, request.iss || undefined)));
  }

  async getMe(_request: identity.GetMeRequest, metadata?: MetadataLike): Promise<identity.GetMeResponse> {
    const caller = await this.callers.require(metadata);
    return { user: toProtoUser(await this.queries.execute(new GetMeQuery(caller.userId))) };
  }

  async updateProfile(request: identity.UpdateProfileRequest, metadata?: MetadataLike): Promise<identity.UpdateProfileResponse> {
    const caller = await this.callers.require(metadata);
    const changes: ProfileChanges = {};
    // Only fields present in the message change (proto3 `optional`); '' clears the optional ones.
    if (request.displayName !== undefined) changes.displayName = request.displayName;
    if (request.firstName !== undefined) changes.firstName = request.firstName;
    if (request.lastName !== undefined) changes.lastName = request.lastName;
    if (request.language !== undefined) changes.language = request.language;
    if (request.profileImageUrl !== undefined) changes.profileImageUrl = request.profileImageUrl;
    const expected = ifMatchVersion(metadata);
    const user = await this.commands.execute(new UpdateProfileCommand(caller.userId, changes, expected));
    return { user: toProtoUser(user) };
  }

  async getUser(request: identity.GetUserRequest, metadata?: MetadataLike): Promise<identity.GetUserResponse> {
    const caller = await this.callers.require(metadata);
    return { user: toProtoUser(await this.queries.execute(new GetUserQuery(caller.userId, request.userId))) };
  }

  async getUsers(request: identity.GetUsersRequest, metadata?: MetadataLike): Promise<identity.GetUsersResponse> {
    await this.callers.require(metadata);
    const users = await this.queries.execute(new GetUsersQuery(request.userIds ?? []));
    return { users: users.map(toProtoUser) };
  }

  async assignRole(request: identity.AssignRoleRequest, metadata?: MetadataLike): Promise<identity.AssignRoleResponse> {
    const caller = await this.callers.require(metadata);
    return { user: toProtoUser(await this.commands.execute(new AssignRoleCommand(caller.userId, request.userId, request.role))) };
  }

  async listRoles(_request: identity.ListRolesRequest, metadata?: MetadataLike): Promise<identity.ListRolesResponse> {
    const caller = await this.callers.require(metadata);
    return { roles: (await this.queries.execute(new ListRolesQuery(caller.userId))).map(toProtoRole) };
  }

  async grantPermission(request: identity.GrantPermissionRequest, metadata?: MetadataLike): Promise<identity.GrantPermissionResponse> {
    const caller = await this.callers.require(metadata);
    const result = await this.commands.execute(new GrantPermissionCommand(caller.userId, request.role, request.resource, request.action));
    return { role: toProtoRole(result.role) };
  }

  async checkPermission(request: identity.CheckPermissionRequest, metadata?: MetadataLike): Promise<identity.CheckPermissionResponse> {
    const caller = await this.callers.require(metadata);
    const subject = request.subjectUserId ? request.subjectUserId : caller.userId;
    const answer = await this.queries.execute(new CheckPermissionQuery(subject, request.resource, request.action, caller.userId));
    return { allowed: answer.allowed, role: answer.role ?? '' };
  }

  async issueServiceToken(request: identity.IssueServiceTokenRequest): Promise<identity.IssueServiceTokenResponse> {
    const issued = await this.commands.execute(new IssueServiceTokenCommand(request.service, request.secret, request.audience));
    return { accessToken: issued.token, expiresIn: issued.expiresIn };
  }

  async getJwks(): Promise<identity.GetJwksResponse> {
    const jwks = await this.queries.execute(new GetJwksQuery());
    return { keys: jwks.keys.map((k) => ({ kty: k.kty, kid: k.kid, use: k.use, alg: k.alg, n: k.n ?? '', e: k.e ?? '' })) };
  }
}

export function toProtoUser(user: UserView): identity.User {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    language: user.language,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    ...(user.firstName !== null ? { firstName: user.firstName } : {}),
    ...(user.lastName !== null ? { lastName: user.lastName } : {}),
    ...(user.profileImageUrl !== null ? { profileImageUrl: user.profileImageUrl } : {}),
  };
}

function toProtoRole(role: RoleView): identity.Role {
  return { name: role.name, permissions: role.permissions.map((p) => ({ resource: p.resource, action: p.action })) };
}

function authResponse(result: AuthResult): identity.RegisterResponse {
  return {
    user: toProtoUser(result.user),
    accessToken: result.accessToken,
    refreshToken: result.refreshToken,
    expiresIn: result.expiresIn,
  };
}

function requireProvider(provider: string): void {
  if (!provider) throw new ValidationError('provider is required', [{ field: 'provider', message: 'is required' }]);
}

/**
 * `if-match` metadata (the gateway forwards the HTTP If-Match header): the version the client
 * last saw. Absent means "no precondition". Quoted ETags (`"3"`, `W/"3"`) are accepted.
 */
export function ifMatchVersion(metadata: MetadataLike | undefined): number | undefined {
  const raw = metadata?.get('if-match')[0];
  if (raw === undefined) return undefined;
  const value = (typeof raw === 'string' ? raw : raw.toString('utf8')).trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (!/^[1-9][0-9]{0,9}$/.test(value)) {
    throw new ValidationError('invalid If-Match', [{ field: 'If-Match', message: 'must be the version number of the user' }]);
  }
  return Number(value);
}
