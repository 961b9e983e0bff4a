import { generateKeyPair, exportJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { uuidv7 } from '@storytelling/kernel';
import { FakePort } from './fake-port.js';
import { grpcError } from './grpc-error.js';
import type {
  AuthSession,
  IdentityPort,
  Jwks,
  LoginInput,
  PermissionView,
  ProfilePatch,
  RegisterInput,
  RevokedAccessToken,
  RoleView,
  TokenPair,
  UserView,
} from '../../src/application/identity.port.js';
import { ROLES, type Role } from '../../src/domain/roles.js';

export const ISSUER = 'test-issuer';
export const AUDIENCE = 'test-audience';

export { grpcError };

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid = uuidv7()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface TokenOverrides {
  sub?: string;
  role?: string;
  iss?: string;
  aud?: string;
  expiresInSeconds?: number;
  kid?: string;
  key?: SigningKey;
}

export async function signAccessToken(key: SigningKey, claims: TokenOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: claims.role ?? 'member', email: 'someone@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: claims.kid ?? key.kid, typ: 'JWT' })
    .setSubject(claims.sub ?? uuidv7())
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 900))
    .setJti(uuidv7())
    .sign((claims.key ?? key).privateKey);
}

interface StoredUser extends UserView {
  password: string;
}

/**
 * In-memory stand-in for identity behind the IdentityPort, for tests of the HTTP layer. It
 * follows identity's rules loosely and records the request context of every call.
 */
export class FakeIdentity extends FakePort implements IdentityPort {
  readonly users = new Map<string, StoredUser>();
  jwksCalls = 0;
  roles: RoleView[] = ROLES.map((name) => ({ name, permissions: [] }));

  private constructor(readonly key: SigningKey) {
    super('identity');
  }

  static async create(): Promise<FakeIdentity> {
    return new FakeIdentity(await newSigningKey());
  }

  private async session(user: StoredUser): Promise<AuthSession> {
    const { password: _password, ...view } = user;
    return { user: view, ...(await this.tokens(user)) };
  }

  private async tokens(user: StoredUser): Promise<TokenPair> {
    return { accessToken: await signAccessToken(this.key, { sub: user.id, role: user.role }), refreshToken: `rt.${uuidv7()}`, expiresIn: 900 };
  }

  async tokenFor(role: Role, sub: string = uuidv7()): Promise<string> {
    return signAccessToken(this.key, { sub, role });
  }

  /** No provider is configured in the fake (identity's own tests run the real flow). */
  async startOidcLogin(provider: string): Promise<{ authorizationUrl: string }> {
    this.record('startOidcLogin', provider);
    throw grpcError(5, `OIDC provider ${provider} not found`, 'OIDC_PROVIDER_NOT_FOUND');
  }

  async completeOidcLogin(provider: string): Promise<AuthSession> {
    this.record('completeOidcLogin', provider);
    throw grpcError(5, `OIDC provider ${provider} not found`, 'OIDC_PROVIDER_NOT_FOUND');
  }

  async register(input: RegisterInput): Promise<AuthSession> {
    this.record('register', input);
    if ([...this.users.values()].some((u) => u.email === input.email.toLowerCase())) {
      throw grpcError(6, 'an account with this email already exists', 'EMAIL_TAKEN');
    }
    const user: StoredUser = {
      id: uuidv7(),
      email: input.email.toLowerCase(),
      displayName: input.displayName,
      firstName: null,
      lastName: null,
      language: input.language ?? 'en',
      role: 'member',
      profileImageUrl: null,
      createdAt: new Date().toISOString(),
      password: input.password,
    };
    this.users.set(user.id, user);
    return this.session(user);
  }

  async login(input: LoginInput): Promise<AuthSession> {
    this.record('login', input);
    const user = [...this.users.values()].find((u) => u.email === input.email.toLowerCase());
    if (!user || user.password !== input.password) throw grpcError(16, 'invalid email or password', 'INVALID_CREDENTIALS');
    return this.session(user);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    this.record('refresh', refreshToken);
    throw grpcError(16, 'refresh token is invalid, expired or revoked', 'INVALID_REFRESH_TOKEN');
  }

  async logout(refreshToken: string): Promise<void> {
    this.record('logout', refreshToken);
  }

  private caller(): StoredUser {
    const user = this.users.get(this.callerId());
    if (!user) throw grpcError(5, 'user not found', 'USER_NOT_FOUND');
    return user;
  }

  async deleteAccount(password: string | undefined): Promise<void> {
    this.record('deleteAccount', password);
    const user = this.caller();
    if (password !== user.password) throw grpcError(7, 'the password is wrong', 'REAUTHENTICATION_REQUIRED');
    this.users.delete(user.id);
  }

  async listRevokedAccessTokens(_after: string): Promise<RevokedAccessToken[]> {
    return [];
  }

  async getMe(): Promise<UserView> {
    this.record('getMe');
    const { password: _p, ...view } = this.caller();
    return view;
  }

  async updateProfile(patch: ProfilePatch): Promise<UserView> {
    this.record('updateProfile', patch);
    const user = this.caller();
    Object.assign(user, patch);
    const { password: _p, ...view } = user;
    return view;
  }

  async getUser(id: string): Promise<UserView> {
    this.record('getUser', id);
    const user = this.users.get(id);
    if (!user) throw grpcError(5, 'user not found', 'USER_NOT_FOUND');
    const { password: _p, ...view } = user;
    return view;
  }

  async assignRole(userId: string, role: Role): Promise<UserView> {
    this.record('assignRole', userId, role);
    const user = this.users.get(userId);
    if (!user) throw grpcError(5, 'user not found', 'USER_NOT_FOUND');
    user.role = role;
    const { password: _p, ...view } = user;
    return view;
  }

  async listRoles(): Promise<RoleView[]> {
    this.record('listRoles');
    return this.roles;
  }

  async grantPermission(role: Role, permission: PermissionView): Promise<RoleView> {
    this.record('grantPermission', role, permission);
    const r = this.roles.find((x) => x.name === role)!;
    r.permissions.push(permission);
    return r;
  }

  async getJwks(): Promise<Jwks> {
    this.jwksCalls += 1;
    this.record('getJwks');
    return { keys: [this.key.publicJwk as Jwks['keys'][number]] };
  }
}
