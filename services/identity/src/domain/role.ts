import type { Clock } from '@storytelling/kernel';
import { AggregateRoot, systemClock } from '@storytelling/kernel';
import type { PermissionGrantedData } from './events.js';
import { IdentityEventTypes } from './events.js';
import { Permission } from './permission.js';
import type { RoleName } from './role-name.js';
import { ROLE_IDS } from './role-name.js';

export interface RoleGrant {
  permission: Permission;
  grantedAt: Date;
  grantedBy: string | null;
}

export interface RoleState {
  name: RoleName;
  description: string;
  grants: RoleGrant[];
  version: number;
}

/**
 * A role and the permissions granted to it. The set of roles is fixed (seeded by the
 * migration under stable ids); what changes is the grants. Granting an existing permission is a
 * no-op: no event, no error, so the admin API is idempotent.
 */
export class Role extends AggregateRoot {
  private constructor(
    readonly name: RoleName,
    readonly description: string,
    private readonly grantList: RoleGrant[],
    version: number,
    clock: Clock,
  ) {
    super(ROLE_IDS[name], version, clock);
  }

  static rehydrate(state: RoleState, clock: Clock = systemClock): Role {
    return new Role(state.name, state.description, [...state.grants], state.version, clock);
  }

  get grants(): readonly RoleGrant[] {
    return this.grantList;
  }

  get permissions(): readonly Permission[] {
    return this.grantList.map((g) => g.permission);
  }

  has(permission: Permission): boolean {
    return this.grantList.some((g) => g.permission.equals(permission));
  }

  allows(wanted: Permission): boolean {
    return this.grantList.some((g) => g.permission.covers(wanted));
  }

  /** @returns true when the grant is new (and an event was recorded). */
  grant(permission: Permission, grantedBy: string | null): boolean {
    if (this.has(permission)) return false;
    const grantedAt = this.clock.now();
    this.grantList.push({ permission, grantedAt, grantedBy });
    const data: PermissionGrantedData = {
      role: this.name,
      resource: permission.resource,
      action: permission.action,
      grantedAt: grantedAt.toISOString(),
      ...(grantedBy ? { grantedBy } : {}),
    };
    this.record(IdentityEventTypes.PermissionGranted, data);
    return true;
  }
}
