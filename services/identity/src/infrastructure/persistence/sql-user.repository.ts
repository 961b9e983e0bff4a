import type { Clock } from '@storytelling/kernel';
import { ConflictError, VersionConflictError } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import { In, type EntityManager } from 'typeorm';
import type { RoleName, UserRepository } from '../../domain/index.js';
import { Email, EmailTakenError, USER_AGGREGATE_TYPE, User, isRoleName } from '../../domain/index.js';
import { UserOAuthLinkRecord, UserRecord } from './entities.js';

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

export class SqlUserRepository implements UserRepository {
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

  async findByLinkedIdentity(provider: string, subject: string): Promise<User | undefined> {
    const rows: Array<{ user_id: string }> = await this.em.query(`SELECT user_id FROM user_oauth_links WHERE provider = $1 AND subject = $2`, [provider, subject]);
    return rows[0] ? this.findById(rows[0].user_id) : undefined;
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

  async forgetPublishedEvents(userId: string): Promise<void> {
    await this.em.query(`DELETE FROM domain_events WHERE aggregate_id = $1 AND published_at IS NOT NULL`, [userId]);
  }

  private async saveLinks(user: User): Promise<void> {
    // Links dropped from the aggregate (account deletion) go from the table too.
    await this.em.query(`DELETE FROM user_oauth_links WHERE user_id = $1 AND NOT (provider = ANY($2::text[]))`, [
      user.id,
      user.linkedIdentities.map((l) => l.provider),
    ]);
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
