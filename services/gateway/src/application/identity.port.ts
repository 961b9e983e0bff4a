import type { Role } from '../domain/roles.js';

/** The public user representation (API.md § Identity, GET /users/me). */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  language: string;
  role: Role;
  profileImageUrl: string | null;
  createdAt: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
}

export interface AuthSession extends TokenPair {
  user: UserView;
}

export interface PermissionView {
  resource: string;
  action: string;
}

export interface RoleView {
  name: Role;
  permissions: PermissionView[];
}

/** A public JSON Web Key as identity publishes it. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg?: string;
  use?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  language?: string;
}

export interface OidcCallbackInput {
  code: string;
  state: string;
  iss?: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

/** One entry of identity's access-token denylist feed (docs/adr/0030). */
export interface RevokedAccessToken {
  /** A `jti`, or `user:<id>` for every token of that user. */
  tokenId: string;
  /** ISO-8601. */
  expiresAt: string;
  /** ISO-8601: the poll cursor. */
  revokedAt: string;
}

/** `null` clears an optional field; an absent key leaves it unchanged. */
export interface ProfilePatch {
  displayName?: string;
  firstName?: string | null;
  lastName?: string | null;
  language?: string;
  profileImageUrl?: string | null;
}

/**
 * What the gateway needs from identity. Calls that act for a user run inside the request
 * context, whose verified bearer token the adapter forwards as gRPC metadata; identity
 * re-verifies it and decides ownership and roles. Failures are thrown as the adapter's errors
 * (gRPC service errors), which the problem filter maps.
 */
export interface IdentityPort {
  register(input: RegisterInput): Promise<AuthSession>;
  login(input: LoginInput): Promise<AuthSession>;
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Where to send the browser to sign in at an OpenID Connect provider (identity keeps the state). */
  startOidcLogin(provider: string): Promise<{ authorizationUrl: string }>;
  /** The provider's callback: identity validates it and signs the user in (links or creates). */
  completeOidcLogin(provider: string, callback: OidcCallbackInput): Promise<AuthSession>;
  logout(refreshToken: string): Promise<void>;
  getMe(): Promise<UserView>;
  /** DELETE /users/me: `password` unless the caller only signs in with a provider. */
  deleteAccount(password: string | undefined): Promise<void>;
  /** The denylist feed: unexpired revocations newer than `after` (ISO-8601; '' = all). */
  listRevokedAccessTokens(after: string): Promise<RevokedAccessToken[]>;
  updateProfile(patch: ProfilePatch): Promise<UserView>;
  getUser(id: string): Promise<UserView>;
  assignRole(userId: string, role: Role): Promise<UserView>;
  listRoles(): Promise<RoleView[]>;
  /** Answers the role with its permissions after the grant. */
  grantPermission(role: Role, permission: PermissionView): Promise<RoleView>;
  getJwks(): Promise<Jwks>;
  /** Resolves when identity answers its gRPC health check as SERVING. */
  checkHealth(): Promise<void>;
  close(): void;
}

export const IDENTITY_PORT = Symbol('IDENTITY_PORT');
