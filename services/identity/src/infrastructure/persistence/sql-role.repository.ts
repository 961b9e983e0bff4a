import type { Clock } from '@storytelling/kernel';
import { VersionConflictError } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import { In, type EntityManager } from 'typeorm';
import type { RoleName, RoleRepository } from '../../domain/index.js';
import { Permission, ROLE_AGGREGATE_TYPE, ROLE_IDS, ROLE_NAMES, Role } from '../../domain/index.js';
import { RolePermissionRecord, RoleRecord } from './entities.js';

export class SqlRoleRepository implements RoleRepository {
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
