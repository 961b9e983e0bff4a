import type { Clock, DomainEvent } from '@storytelling/kernel';
import { FixedClock, VersionConflictError } from '@storytelling/kernel';
import { InMemoryUnitOfWork, appendToOutbox } from '@storytelling/testing';
import type { IdentityUnitOfWork, PasswordHasher } from '../../src/application/index.js';
import type {
  AccessTokenRevocation,
  AccessTokenRevocationRepository,
  Email,
  IdentityRepositories,
  RefreshTokenRepository,
  RoleName,
  RoleRepository,
  RoleState,
  UserRepository,
  UserState,
  RefreshTokenState,
} from '../../src/domain/index.js';
import {
  DEFAULT_GRANTS,
  EmailTakenError,
  Permission,
  ROLE_DESCRIPTIONS,
  ROLE_NAMES,
  RefreshToken,
  Role,
  User,
} from '../../src/domain/index.js';

export interface StoredEvent {
  aggregateType: string;
  event: DomainEvent;
}

export interface IdentityTables {
  users: Map<string, UserState>;
  roles: Map<RoleName, RoleState>;
  tokens: Map<string, RefreshTokenState>;
  revocations: Map<string, AccessTokenRevocation>;
  outbox: StoredEvent[];
}

function cloneTables(t: IdentityTables): IdentityTables {
  return {
    users: new Map(t.users),
    roles: new Map([...t.roles].map(([k, v]) => [k, { ...v, grants: [...v.grants] }])),
    tokens: new Map(t.tokens),
    revocations: new Map(t.revocations),
    outbox: [...t.outbox],
  };
}

/** In-memory repositories over one unit's tables; saving appends the aggregate's pending events to the outbox table. */
class Users implements UserRepository {
  constructor(
    private readonly t: IdentityTables,
    private readonly clock: Clock,
  ) {}
  async findById(id: string) {
    const s = this.t.users.get(id);
    return s ? User.rehydrate(s, this.clock) : undefined;
  }
  /** The in-memory outbox is never published: nothing to forget. */
  async forgetPublishedEvents(_userId: string) {}
  async findByEmail(email: Email) {
    const s = [...this.t.users.values()].find((u) => u.email.value === email.value);
    return s ? User.rehydrate(s, this.clock) : undefined;
  }
  async findByLinkedIdentity(provider: string, subject: string) {
    const s = [...this.t.users.values()].find((u) => u.linkedIdentities.some((l) => l.provider === provider && l.subject === subject));
    return s ? User.rehydrate(s, this.clock) : undefined;
  }
  async findByIds(ids: readonly string[]) {
    return ids.flatMap((id) => {
      const s = this.t.users.get(id);
      return s ? [User.rehydrate(s, this.clock)] : [];
    });
  }
  async countActiveSuperAdmins() {
    return [...this.t.users.values()].filter((u) => u.active && u.role === 'super-admin').length;
  }
  async lockRoleAssignments() {
    // nothing to lock: a unit works on its own copy of the tables
  }
  async add(user: User) {
    if ([...this.t.users.values()].some((u) => u.email.value === user.email.value)) throw new EmailTakenError();
    appendToOutbox(this.t.outbox, 'user', user.pendingEvents);
    this.t.users.set(user.id, user.toState());
    user.markPersisted();
  }
  async save(user: User) {
    const current = this.t.users.get(user.id);
    if (!current || current.version !== user.loadedVersion) throw new VersionConflictError(user.id, user.loadedVersion);
    appendToOutbox(this.t.outbox, 'user', user.pendingEvents);
    this.t.users.set(user.id, user.toState());
    user.markPersisted();
  }
}

class Roles implements RoleRepository {
  constructor(
    private readonly t: IdentityTables,
    private readonly clock: Clock,
  ) {}
  async get(name: RoleName) {
    return Role.rehydrate(this.t.roles.get(name)!, this.clock);
  }
  async list() {
    return ROLE_NAMES.map((n) => Role.rehydrate(this.t.roles.get(n)!, this.clock));
  }
  async save(role: Role) {
    const current = this.t.roles.get(role.name)!;
    if (current.version !== role.loadedVersion) throw new VersionConflictError(role.id, role.loadedVersion);
    appendToOutbox(this.t.outbox, 'role', role.pendingEvents);
    this.t.roles.set(role.name, { name: role.name, description: role.description, grants: [...role.grants], version: role.version });
    role.markPersisted();
  }
}

class Tokens implements RefreshTokenRepository {
  constructor(private readonly t: IdentityTables) {}
  async findByHashForUpdate(hash: string) {
    const s = [...this.t.tokens.values()].find((x) => x.tokenHash === hash);
    return s ? RefreshToken.rehydrate(s) : undefined;
  }
  async add(token: RefreshToken) {
    this.t.tokens.set(token.id, token.toState());
  }
  async save(token: RefreshToken) {
    this.t.tokens.set(token.id, token.toState());
  }
  async revokeFamily(familyId: string, at: Date) {
    let n = 0;
    for (const [id, s] of this.t.tokens) {
      if (s.familyId === familyId && s.revokedAt === null) {
        this.t.tokens.set(id, { ...s, revokedAt: at });
        n++;
      }
    }
    return n;
  }
  async revokeAllOfUser(userId: string, at: Date) {
    let n = 0;
    for (const [id, s] of this.t.tokens) {
      if (s.userId === userId && s.revokedAt === null) {
        this.t.tokens.set(id, { ...s, revokedAt: at });
        n++;
      }
    }
    return n;
  }
  async lastSignInAt(userId: string) {
    const starts = new Map<string, number>();
    for (const s of this.t.tokens.values()) {
      if (s.userId !== userId) continue;
      starts.set(s.familyId, Math.min(starts.get(s.familyId) ?? Infinity, s.issuedAt.getTime()));
    }
    return starts.size ? new Date(Math.max(...starts.values())) : undefined;
  }
}

class Revocations implements AccessTokenRevocationRepository {
  constructor(private readonly t: IdentityTables) {}
  async add(r: AccessTokenRevocation) {
    this.t.revocations.set(r.tokenId, { ...r });
  }
  async listSince(after: Date, now: Date, limit: number) {
    return [...this.t.revocations.values()]
      .filter((r) => r.revokedAt > after && r.expiresAt > now)
      .sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime())
      .slice(0, limit);
  }
}

function reposFor(t: IdentityTables, clock: Clock): IdentityRepositories {
  return { users: new Users(t, clock), roles: new Roles(t, clock), refreshTokens: new Tokens(t), revocations: new Revocations(t) };
}

/** The tables of a fresh identity database: no users, the five roles with their default grants. */
export function seededTables(at: Date): IdentityTables {
  return {
    users: new Map(),
    roles: new Map(
      ROLE_NAMES.map((name) => [
        name,
        {
          name,
          description: ROLE_DESCRIPTIONS[name],
          grants: DEFAULT_GRANTS[name].map(([r, a]) => ({ permission: Permission.of(r, a), grantedAt: at, grantedBy: null })),
          version: 0,
        },
      ]),
    ),
    tokens: new Map(),
    revocations: new Map(),
    outbox: [],
  };
}

/**
 * identity's IdentityUnitOfWork in memory: the platform's InMemoryUnitOfWork (atomic units on a
 * copy of the tables, joined when one is open, `requires_new` on its own) over in-memory
 * repositories, with the outbox the repositories append to.
 */
export class InMemoryIdentityUnitOfWork extends InMemoryUnitOfWork<IdentityTables, IdentityRepositories> implements IdentityUnitOfWork {
  constructor(readonly clock: Clock) {
    super(seededTables(clock.now()), cloneTables, (tables) => reposFor(tables, clock));
  }

  /** Idempotency keys are the platform's (tested against Postgres); here the work just runs. */
  runIdempotent<T>(_request: unknown, work: (repos: IdentityRepositories) => Promise<T>): Promise<T> {
    return this.run(work);
  }

  /** Every event appended to the outbox by committed units, in order. */
  get events(): DomainEvent[] {
    return this.tables.outbox.map((s) => s.event);
  }

  eventsOfType(type: string): DomainEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  get tokens(): RefreshTokenState[] {
    return [...this.tables.tokens.values()];
  }
}

/** Not a hash at all: fast and transparent, for unit tests only. Counts work for timing checks. */
export class FakePasswordHasher implements PasswordHasher {
  verifications = 0;
  async hash(plain: string): Promise<string> {
    return `fake$${plain}`;
  }
  async verify(hash: string, plain: string): Promise<boolean> {
    this.verifications++;
    return hash === `fake$${plain}`;
  }
  async burn(plain: string): Promise<void> {
    await this.verify('fake$dummy-password-nobody-has', plain);
  }
}

export function fixedClock(iso = '2026-03-01T12:00:00Z'): FixedClock {
  return new FixedClock(new Date(iso));
}
