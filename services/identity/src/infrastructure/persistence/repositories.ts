import type { Clock } from '@storytelling/kernel';
import { ConflictError, VersionConflictError } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import { In, type EntityManager } from 'typeorm';
import type {
  IdentityRepositories,
  RefreshTokenRepository,
  RoleName,
  RoleRepository,
  UserRepository,
} from '../../domain/index.js';
import {
  Email,
  EmailTakenError,
  Permission,
  ROLE_AGGREGATE_TYPE,
  ROLE_IDS,
  ROLE_NAMES,
  RefreshToken,
  Role,
  USER_AGGREGATE_TYPE,
  User,
  isRoleName,
} from '../../domain/index.js';
import { RefreshTokenRecord, RolePermissionRecord, RoleRecord, UserOAuthLinkRecord, UserRecord } from './entities.js';

const UNIQUE_VIOLATION = '23505';

function uniqueViolation(err: unknown): string | undefined {
  const e = (err as { driverError?: { code?: unknown; constraint?: unknown } } | null)?.driverError ?? err;
  const d = e as { code?: unknown; constraint?: unknown } | null;
  return d?.code === UNIQUE_VIOLATION && typeof d.constraint === 'string' ? d.constraint : undefined;
}

function roleOf(value: string): RoleName {
  if (!isRoleName(value)) throw new Error(`unknown role in the database: ${value}`);
  return value;
}

export class TypeOrmUserRepository implements UserRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async findById(id: string): Promise<User | undefined> {
    const row = await this.em.findOneBy(UserRecord, { id });
    return row ? (await this.hydrate([row]))[0] : undefined;
  }

  async findByEmail(email: Email): Promise<User | undefined> {
    const row = await this.em.findOneBy(UserRecord, { email: email.value });
    return row ? (await this.hydrate([row]))[0] : undefined;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return this.hydrate(await this.em.findBy(UserRecord, { id: In([...ids]) }));
  }

  async countActiveSuperAdmins(options: { lock?: boolean } = {}): Promise<number> {
    const rows: Array<{ id: string }> = await this.em.query(
      `SELECT id FROM users WHERE role = 'super-admin' AND is_active${options.lock ? ' FOR UPDATE' : ''}`,
    );
    return rows.length;
  }

  async lockRoleAssignments(): Promise<void> {
    await this.em.query(`SELECT pg_advisory_xact_lock(hashtextextended('identity:role-assignment', 0))`);
  }

  async add(user: User): Promise<void> {
    try {
      await this.em.insert(UserRecord, this.toRecord(user));
    } catch (err) {
      if (uniqueViolation(err) === 'users_email_key') throw new EmailTakenError();
      throw err;
    }
    await this.saveLinks(user);
    await this.events.append(this.em, user, USER_AGGREGATE_TYPE);
  }

  async save(user: User): Promise<void> {
    const { id, ...changes } = this.toRecord(user);
    const result = await this.em
      .createQueryBuilder()
      .update(UserRecord)
      .set(changes)
      .where('id = :id AND version = :expected', { id, expected: user.loadedVersion })
      .execute();
    if (result.affected !== 1) throw new VersionConflictError(id, user.loadedVersion);
    await this.saveLinks(user);
    await this.events.append(this.em, user, USER_AGGREGATE_TYPE);
  }

  private async saveLinks(user: User): Promise<void> {
    for (const link of user.linkedIdentities) {
      try {
        await this.em.query(
          `INSERT INTO user_oauth_links (user_id, provider, subject, linked_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, provider) DO NOTHING`,
          [user.id, link.provider, link.subject, link.linkedAt],
        );
      } catch (err) {
        if (uniqueViolation(err) === 'user_oauth_links_provider_subject_key') {
          throw new ConflictError('IDENTITY_ALREADY_LINKED', `this ${link.provider} identity belongs to another user`);
        }
        throw err;
      }
    }
  }

  private toRecord(user: User): UserRecord {
    const s = user.toState();
    return {
      id: s.id,
      email: s.email.value,
      passwordHash: s.passwordHash,
      displayName: s.profile.displayName,
      firstName: s.profile.firstName,
      lastName: s.profile.lastName,
      profileImageUrl: s.profile.profileImageUrl,
      role: s.role,
      language: s.profile.language,
      isActive: s.active,
      version: s.version,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }

  private async hydrate(rows: UserRecord[]): Promise<User[]> {
    if (rows.length === 0) return [];
    const links = await this.em.findBy(UserOAuthLinkRecord, { userId: In(rows.map((r) => r.id)) });
    return rows.map((r) =>
      User.rehydrate(
        {
          id: r.id,
          email: Email.fromStored(r.email),
          passwordHash: r.passwordHash,
          profile: {
            displayName: r.displayName,
            firstName: r.firstName,
            lastName: r.lastName,
            language: r.language,
            profileImageUrl: r.profileImageUrl,
          },
          role: roleOf(r.role),
          active: r.isActive,
          linkedIdentities: links
            .filter((l) => l.userId === r.id)
            .map((l) => ({ provider: l.provider, subject: l.subject, linkedAt: l.linkedAt })),
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          version: r.version,
        },
        this.clock,
      ),
    );
  }
}

export class TypeOrmRoleRepository implements RoleRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async get(name: RoleName): Promise<Role> {
    const [role] = await this.load([name]);
    if (!role) throw new Error(`role ${name} is missing: run the identity migrations`);
    return role;
  }

  async list(): Promise<Role[]> {
    return this.load(ROLE_NAMES);
  }

  async save(role: Role): Promise<void> {
    const result = await this.em
      .createQueryBuilder()
      .update(RoleRecord)
      .set({ version: role.version })
      .where('id = :id AND version = :expected', { id: role.id, expected: role.loadedVersion })
      .execute();
    if (result.affected !== 1) throw new VersionConflictError(role.id, role.loadedVersion);
    for (const g of role.grants) {
      await this.em.query(
        `INSERT INTO role_permissions (role_id, resource, action, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (role_id, resource, action) DO NOTHING`,
        [role.id, g.permission.resource, g.permission.action, g.grantedBy, g.grantedAt],
      );
    }
    await this.events.append(this.em, role, ROLE_AGGREGATE_TYPE);
  }

  private async load(names: readonly RoleName[]): Promise<Role[]> {
    const rows = await this.em.findBy(RoleRecord, { id: In(names.map((n) => ROLE_IDS[n])) });
    const grants = await this.em.find(RolePermissionRecord, {
      where: { roleId: In(rows.map((r) => r.id)) },
      order: { grantedAt: 'ASC', resource: 'ASC', action: 'ASC' },
    });
    const byName = new Map(rows.map((r) => [r.name, r]));
    return names.flatMap((name) => {
      const r = byName.get(name);
      if (!r) return [];
      return [
        Role.rehydrate(
          {
            name,
            description: r.description ?? '',
            version: r.version,
            grants: grants
              .filter((g) => g.roleId === r.id)
              .map((g) => ({ permission: Permission.of(g.resource, g.action), grantedAt: g.grantedAt, grantedBy: g.grantedBy })),
          },
          this.clock,
        ),
      ];
    });
  }
}

export class TypeOrmRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly em: EntityManager) {}

  async findByHashForUpdate(tokenHash: string): Promise<RefreshToken | undefined> {
    const row = await this.em.findOne(RefreshTokenRecord, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
    return row ? RefreshToken.rehydrate({ ...row }) : undefined;
  }

  async add(token: RefreshToken): Promise<void> {
    await this.em.insert(RefreshTokenRecord, token.toState());
  }

  async save(token: RefreshToken): Promise<void> {
    const s = token.toState();
    await this.em.update(RefreshTokenRecord, { id: s.id }, { rotatedAt: s.rotatedAt, revokedAt: s.revokedAt, expiresAt: s.expiresAt });
  }

  async revokeFamily(familyId: string, at: Date): Promise<number> {
    const result = await this.em
      .createQueryBuilder()
      .update(RefreshTokenRecord)
      .set({ revokedAt: at })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
    return result.affected ?? 0;
  }
}

export function typeOrmRepositories(em: EntityManager, events: EventStore, clock: Clock): IdentityRepositories {
  return {
    users: new TypeOrmUserRepository(em, events, clock),
    roles: new TypeOrmRoleRepository(em, events, clock),
    refreshTokens: new TypeOrmRefreshTokenRepository(em),
  };
}
