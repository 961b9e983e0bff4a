import type { Email } from './email.js';
import type { RefreshToken } from './refresh-token.js';
import type { Role } from './role.js';
import type { RoleName } from './role-name.js';
import type { User } from './user.js';

/**
 * Repository ports. An instance is bound to one transaction (see application/ports
 * IdentityUnitOfWork); saving an aggregate writes its state and appends its pending events to
 * the outbox in that same transaction, then marks them persisted.
 */
export interface UserRepository {
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: Email): Promise<User | undefined>;
  findByIds(ids: readonly string[]): Promise<User[]>;
  /** The user an external identity is linked to (provider lower-case, the provider's `sub`). */
  findByLinkedIdentity(provider: string, subject: string): Promise<User | undefined>;
  /**
   * Active super-admins. With `lock`, the rows stay locked until the transaction ends, so two
   * concurrent demotions can't both see "two left".
   */
  countActiveSuperAdmins(options?: { lock?: boolean }): Promise<number>;
  /**
   * Serialises role changes until the transaction ends. Role assignment reads two users (actor
   * and target) whose roles another assignment may be changing; with this lock taken first,
   * both reads are current (two super-admins demoting each other can't both succeed).
   */
  lockRoleAssignments(): Promise<void>;
  /** Inserts a new user. @throws EmailTakenError when the email is already registered. */
  add(user: User): Promise<void>;
  /**
   * Account deletion: drops the user's outbox events that are already published (they carry the
   * email and names). Unpublished ones are still relayed first; the outbox sweep takes them later.
   */
  forgetPublishedEvents(userId: string): Promise<void>;
  /** Updates an existing user at `user.loadedVersion`. @throws VersionConflictError when it moved on. */
  save(user: User): Promise<void>;
}

export interface RoleRepository {
  /** Roles are seeded; every RoleName exists. */
  get(name: RoleName): Promise<Role>;
  list(): Promise<Role[]>;
  /** @throws VersionConflictError when the role changed since it was read. */
  save(role: Role): Promise<void>;
}

export interface RefreshTokenRepository {
  /** Finds the token by its hash and locks it for the rest of the transaction. */
  findByHashForUpdate(tokenHash: string): Promise<RefreshToken | undefined>;
  add(token: RefreshToken): Promise<void>;
  save(token: RefreshToken): Promise<void>;
  /** Revokes every not-yet-revoked token of the family. @returns how many were revoked. */
  revokeFamily(familyId: string, at: Date): Promise<number>;
  /** Revokes every not-yet-revoked token of the user (account deletion). */
  revokeAllOfUser(userId: string, at: Date): Promise<number>;
  /** When the user's most recent session (token family) began, i.e. their last sign-in. */
  lastSignInAt(userId: string): Promise<Date | undefined>;
}

/**
 * Access tokens that must stop working before they expire (docs/adr/0030). `tokenId` is a `jti`
 * (logout) or `user:<id>` (every token of a deleted account). Kept until `expiresAt`.
 */
export interface AccessTokenRevocation {
  tokenId: string;
  expiresAt: Date;
  revokedAt: Date;
}

export interface AccessTokenRevocationRepository {
  add(revocation: AccessTokenRevocation): Promise<void>;
  /** Unexpired revocations recorded after `after` (exclusive), oldest first, at most `limit`. */
  listSince(after: Date, now: Date, limit: number): Promise<AccessTokenRevocation[]>;
}

export interface IdentityRepositories {
  users: UserRepository;
  roles: RoleRepository;
  refreshTokens: RefreshTokenRepository;
  revocations: AccessTokenRevocationRepository;
}
