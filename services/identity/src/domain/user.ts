import type { Clock, FieldError } from '@storytelling/kernel';
import { AggregateRoot, ConflictError, ValidationError, systemClock, uuidv7 } from '@storytelling/kernel';
import type { Email } from './email.js';
import type {
  AuthenticationMethod,
  RoleAssignedData,
  UserAuthenticatedData,
  UserDeactivatedData,
  UserProfileUpdatedData,
  UserRegisteredData,
} from './events.js';
import { IdentityEventTypes } from './events.js';
import type { Profile, ProfileChanges } from './profile.js';
import { DEFAULT_LANGUAGE, normaliseDisplayName, normaliseLanguage, throwIfInvalid, validateProfileChanges } from './profile.js';
import type { RoleName } from './role-name.js';
import { DEFAULT_ROLE } from './role-name.js';

/**
 * An identity at an external OpenID Connect provider linked to this user. Unique per
 * (provider, subject) across all users. The OIDC login flow itself is not built yet; this is
 * the shape it will fill (see application/ports/oidc-provider.ts).
 */
export interface LinkedIdentity {
  provider: string;
  subject: string;
  linkedAt: Date;
}

export interface UserState {
  id: string;
  email: Email;
  passwordHash: string | null;
  profile: Profile;
  role: RoleName;
  active: boolean;
  linkedIdentities: LinkedIdentity[];
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface RegisterUser {
  id?: string;
  email: Email;
  /** argon2id hash; null for accounts that only sign in through OIDC. */
  passwordHash: string | null;
  displayName: unknown;
  language?: unknown;
}

const PROFILE_FIELDS = ['displayName', 'firstName', 'lastName', 'language', 'profileImageUrl'] as const;

export class User extends AggregateRoot {
  private constructor(
    id: string,
    private state: Omit<UserState, 'id' | 'version'>,
    version: number,
    clock: Clock,
  ) {
    super(id, version, clock);
  }

  static register(input: RegisterUser, clock: Clock = systemClock): User {
    const errors: FieldError[] = [];
    const displayName = normaliseDisplayName(input.displayName, errors);
    const language =
      input.language === undefined || input.language === null || input.language === ''
        ? DEFAULT_LANGUAGE
        : normaliseLanguage(input.language, errors);
    throwIfInvalid(errors, 'invalid registration');
    const now = clock.now();
    const user = new User(
      input.id ?? uuidv7(now.getTime()),
      {
        email: input.email,
        passwordHash: input.passwordHash,
        profile: { displayName: displayName!, firstName: null, lastName: null, language: language!, profileImageUrl: null },
        role: DEFAULT_ROLE,
        active: true,
        linkedIdentities: [],
        createdAt: now,
        updatedAt: now,
      },
      0,
      clock,
    );
    const data: UserRegisteredData = {
      userId: user.id,
      email: input.email.value,
      displayName: displayName!,
      language: language!,
      role: DEFAULT_ROLE,
      registeredAt: now.toISOString(),
    };
    user.record(IdentityEventTypes.UserRegistered, data);
    return user;
  }

  static rehydrate(state: UserState, clock: Clock = systemClock): User {
    const { id, version, ...rest } = state;
    return new User(id, { ...rest, profile: { ...rest.profile }, linkedIdentities: [...rest.linkedIdentities] }, version, clock);
  }

  get email(): Email {
    return this.state.email;
  }
  get passwordHash(): string | null {
    return this.state.passwordHash;
  }
  get profile(): Readonly<Profile> {
    return this.state.profile;
  }
  get role(): RoleName {
    return this.state.role;
  }
  get active(): boolean {
    return this.state.active;
  }
  get linkedIdentities(): readonly LinkedIdentity[] {
    return this.state.linkedIdentities;
  }
  get createdAt(): Date {
    return this.state.createdAt;
  }
  get updatedAt(): Date {
    return this.state.updatedAt;
  }

  /** A successful sign-in. Checking the credential is the application's job (it needs a hasher). */
  recordAuthentication(method: AuthenticationMethod, provider?: string): void {
    const data: UserAuthenticatedData = {
      userId: this.id,
      method,
      authenticatedAt: this.clock.now().toISOString(),
      ...(provider ? { provider } : {}),
    };
    this.record(IdentityEventTypes.UserAuthenticated, data);
  }

  /** Applies a validated partial update. @returns false (and records nothing) when nothing changes. */
  updateProfile(changes: ProfileChanges): boolean {
    const next = validateProfileChanges(changes);
    const changed = PROFILE_FIELDS.filter((f) => next[f] !== undefined && next[f] !== this.state.profile[f]);
    if (changed.length === 0) return false;
    const now = this.clock.now();
    this.state.profile = { ...this.state.profile, ...next };
    this.state.updatedAt = now;
    const p = this.state.profile;
    const data: UserProfileUpdatedData = {
      userId: this.id,
      displayName: p.displayName,
      language: p.language,
      ...(p.firstName !== null ? { firstName: p.firstName } : {}),
      ...(p.lastName !== null ? { lastName: p.lastName } : {}),
      ...(p.profileImageUrl !== null ? { profileImageUrl: p.profileImageUrl } : {}),
      changedFields: [...changed],
      updatedAt: now.toISOString(),
    };
    this.record(IdentityEventTypes.UserProfileUpdated, data);
    return true;
  }

  /**
   * Sets the role. Whether the actor may do so is decided by `assertMayAssignRole` (it needs
   * facts beyond this aggregate). @returns false when the user already has the role.
   */
  assignRole(role: RoleName, assignedBy: string | null): boolean {
    if (role === this.state.role) return false;
    const previousRole = this.state.role;
    const now = this.clock.now();
    this.state.role = role;
    this.state.updatedAt = now;
    const data: RoleAssignedData = {
      userId: this.id,
      role,
      previousRole,
      assignedAt: now.toISOString(),
      ...(assignedBy ? { assignedBy } : {}),
    };
    this.record(IdentityEventTypes.RoleAssigned, data);
    return true;
  }

  /** GDPR deactivation: consumers erase or anonymise on UserDeactivated. Idempotent. */
  deactivate(deactivatedBy: string | null, reason?: string): boolean {
    if (!this.state.active) return false;
    const now = this.clock.now();
    this.state.active = false;
    this.state.updatedAt = now;
    const data: UserDeactivatedData = {
      userId: this.id,
      deactivatedAt: now.toISOString(),
      ...(reason ? { reason } : {}),
      ...(deactivatedBy ? { deactivatedBy } : {}),
    };
    this.record(IdentityEventTypes.UserDeactivated, data);
    return true;
  }

  /**
   * Account deletion: deactivates (UserDeactivated, so every context erases) and drops the
   * personal data identity holds, keeping a tombstone (id, role, dates) that no one can sign in
   * to. The email becomes `deleted-<id>@deleted.invalid` (unique, RFC 2606 reserved domain).
   */
  eraseAccount(tombstoneEmail: Email): void {
    this.deactivate(this.id, 'account deleted');
    this.state.email = tombstoneEmail;
    this.state.passwordHash = null;
    this.state.profile = { ...this.state.profile, displayName: 'Deleted user', firstName: null, lastName: null, profileImageUrl: null };
    this.state.linkedIdentities = [];
    this.state.updatedAt = this.clock.now();
  }

  /** Placeholder for the OIDC flow: remembers an external identity (unique per provider+subject). */
  linkIdentity(provider: string, subject: string): boolean {
    const p = provider.trim().toLowerCase();
    const s = subject.trim();
    if (!p || !s) throw new ValidationError('provider and subject are required');
    if (this.state.linkedIdentities.some((l) => l.provider === p && l.subject === s)) return false;
    if (this.state.linkedIdentities.some((l) => l.provider === p)) {
      throw new ConflictError('IDENTITY_ALREADY_LINKED', `a ${p} identity is already linked to this user`);
    }
    this.state.linkedIdentities.push({ provider: p, subject: s, linkedAt: this.clock.now() });
    return true;
  }

  toState(): UserState {
    return {
      id: this.id,
      version: this.version,
      ...this.state,
      profile: { ...this.state.profile },
      linkedIdentities: [...this.state.linkedIdentities],
    };
  }
}
