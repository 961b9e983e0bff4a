import { DomainError, ValidationError } from '@storytelling/kernel';
import {
  DEFAULT_GRANTS,
  Permission,
  ROLE_IDS,
  ROLE_NAMES,
  Role,
  assertMayAssignRole,
  assertNotLastSuperAdmin,
  mayReadUser,
  type RoleHolder,
  type RoleName,
} from '../../../src/domain/index.js';
import { fixedClock } from '../../support/in-memory.js';

const holder = (id: string, role: RoleName, active = true): RoleHolder => ({ id, role, active });
const superAdmin = holder('sa', 'super-admin');
const admin = holder('ad', 'admin');
const member = holder('me', 'member');

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof DomainError ? `${err.kind}:${err.code}` : String(err);
  }
}

describe('role assignment rules', () => {
  it('nobody changes their own role, not even a super-admin', () => {
    expect(codeOf(() => assertMayAssignRole(superAdmin, superAdmin, 'member', 5))).toBe('forbidden:CANNOT_CHANGE_OWN_ROLE');
    expect(codeOf(() => assertMayAssignRole(admin, admin, 'super-admin', 5))).toBe('forbidden:CANNOT_CHANGE_OWN_ROLE');
  });

  it('members, support and moderators assign nothing', () => {
    for (const role of ['member', 'customer-support', 'content-moderator'] as const) {
      expect(codeOf(() => assertMayAssignRole(holder('x', role), member, 'content-moderator', 1))).toBe('forbidden:FORBIDDEN');
    }
  });

  it('admins assign the non-privileged roles to non-privileged people', () => {
    for (const role of ['member', 'customer-support', 'content-moderator'] as const) {
      expect(codeOf(() => assertMayAssignRole(admin, member, role, 1))).toBeUndefined();
    }
  });

  it('only a super-admin grants admin or super-admin, or changes an admin', () => {
    expect(codeOf(() => assertMayAssignRole(admin, member, 'admin', 1))).toBe('forbidden:ROLE_ASSIGNMENT_FORBIDDEN');
    expect(codeOf(() => assertMayAssignRole(admin, member, 'super-admin', 1))).toBe('forbidden:ROLE_ASSIGNMENT_FORBIDDEN');
    expect(codeOf(() => assertMayAssignRole(admin, holder('a2', 'admin'), 'member', 1))).toBe('forbidden:ROLE_ASSIGNMENT_FORBIDDEN');
    expect(codeOf(() => assertMayAssignRole(admin, holder('s2', 'super-admin'), 'member', 2))).toBe(
      'forbidden:ROLE_ASSIGNMENT_FORBIDDEN',
    );
    expect(codeOf(() => assertMayAssignRole(superAdmin, member, 'admin', 1))).toBeUndefined();
    expect(codeOf(() => assertMayAssignRole(superAdmin, member, 'super-admin', 1))).toBeUndefined();
    expect(codeOf(() => assertMayAssignRole(superAdmin, holder('a2', 'admin'), 'member', 1))).toBeUndefined();
  });

  it('the last active super-admin cannot be demoted', () => {
    const other = holder('s2', 'super-admin');
    expect(codeOf(() => assertMayAssignRole(superAdmin, other, 'admin', 2))).toBeUndefined();
    expect(codeOf(() => assertMayAssignRole(superAdmin, other, 'admin', 1))).toBe('business_rule:LAST_SUPER_ADMIN');
    expect(codeOf(() => assertNotLastSuperAdmin(other, null, 1))).toBe('business_rule:LAST_SUPER_ADMIN');
    // "demoting" to super-admin again, or an inactive super-admin, is not a loss
    expect(codeOf(() => assertNotLastSuperAdmin(other, 'super-admin', 1))).toBeUndefined();
    expect(codeOf(() => assertNotLastSuperAdmin(holder('s3', 'super-admin', false), 'member', 1))).toBeUndefined();
  });

  it('inactive accounts assign nothing', () => {
    expect(codeOf(() => assertMayAssignRole(holder('sa', 'super-admin', false), member, 'admin', 3))).toBe('forbidden:FORBIDDEN');
  });

  it('self, admin, super-admin and customer-support read users; others do not', () => {
    expect(mayReadUser(member, 'me')).toBe(true);
    expect(mayReadUser(member, 'other')).toBe(false);
    expect(mayReadUser(holder('m', 'content-moderator'), 'other')).toBe(false);
    expect(mayReadUser(holder('c', 'customer-support'), 'other')).toBe(true);
    expect(mayReadUser(admin, 'other')).toBe(true);
    expect(mayReadUser(superAdmin, 'other')).toBe(true);
  });
});

describe('Role aggregate and permissions', () => {
  const clock = fixedClock('2026-03-01T12:00:00Z');
  const role = (name: RoleName) =>
    Role.rehydrate(
      {
        name,
        description: name,
        grants: DEFAULT_GRANTS[name].map(([r, a]) => ({ permission: Permission.of(r, a), grantedAt: clock.now(), grantedBy: null })),
        version: 0,
      },
      clock,
    );

  it('has a stable UUID per role name', () => {
    expect(new Set(ROLE_NAMES.map((n) => ROLE_IDS[n])).size).toBe(ROLE_NAMES.length);
    expect(role('admin').id).toBe('a5b60016-61bb-56fd-a1dc-39e063104760');
  });

  it('grants once and records PermissionGranted; a duplicate grant is a silent no-op', () => {
    const r = role('content-moderator');
    expect(r.grant(Permission.of('Comments', 'delete'), 'granter')).toBe(true);
    expect(r.grant(Permission.of('comments', 'DELETE'), 'granter')).toBe(false);
    expect(r.pendingEvents).toHaveLength(1);
    const e = r.pendingEvents[0]!;
    expect(e.type).toBe('storytelling.identity.role.permission_granted.v1');
    expect(e.aggregateId).toBe(ROLE_IDS['content-moderator']);
    expect(e.data).toEqual({
      role: 'content-moderator',
      resource: 'comments',
      action: 'delete',
      grantedBy: 'granter',
      grantedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(r.allows(Permission.of('comments', 'delete'))).toBe(true);
  });

  it('checks permissions with wildcards', () => {
    expect(role('super-admin').allows(Permission.of('anything', 'at-all'))).toBe(true);
    expect(role('member').allows(Permission.of('stories', 'create'))).toBe(true);
    expect(role('member').allows(Permission.of('stories', 'moderate'))).toBe(false);
    const r = role('customer-support');
    r.grant(Permission.of('refunds', '*'), null);
    expect(r.allows(Permission.of('refunds', 'issue'))).toBe(true);
  });

  it.each([
    ['', 'read'],
    ['stories', ''],
    ['Stories Read', 'x'],
    ['stories', 'read;drop'],
    ['x'.repeat(101), 'read'],
  ])('rejects permission (%j, %j)', (resource, action) => {
    expect(() => Permission.of(resource, action)).toThrow(ValidationError);
  });
});
