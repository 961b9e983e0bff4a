import {
  AssignRoleCommand,
  CheckPermissionQuery,
  GetJwksQuery,
  GetMeQuery,
  GetUserQuery,
  GetUsersQuery,
  GrantPermissionCommand,
  ListRolesQuery,
  UpdateProfileCommand,
} from '../../../src/application/index.js';
import { IdentityEventTypes, ROLE_IDS } from '../../../src/domain/index.js';
import { failure, unitApp, type UnitApp } from '../../support/unit-app.js';

describe('profile', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('GetMe returns the caller; UpdateProfile changes only the given fields', async () => {
    const ann = await app.user('ann@example.com');
    expect(await app.getMe.execute(new GetMeQuery(ann.user.id))).toMatchObject({ id: ann.user.id, language: 'en', firstName: null });
    const updated = await app.updateProfile.execute(
      new UpdateProfileCommand(ann.user.id, { firstName: 'Ann', profileImageUrl: 'https://img.example.com/ann.png' }),
    );
    expect(updated).toMatchObject({ displayName: 'Someone', firstName: 'Ann', profileImageUrl: 'https://img.example.com/ann.png', version: 2 });
    const events = app.uow.eventsOfType(IdentityEventTypes.UserProfileUpdated);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ changedFields: ['firstName', 'profileImageUrl'] });
  });

  it('a stale expected version is VERSION_CONFLICT and changes nothing', async () => {
    const ann = await app.user('ann@example.com');
    await app.updateProfile.execute(new UpdateProfileCommand(ann.user.id, { firstName: 'A' }, 1));
    expect(await failure(app.updateProfile.execute(new UpdateProfileCommand(ann.user.id, { firstName: 'B' }, 1)))).toBe(
      'precondition:VERSION_CONFLICT',
    );
    expect((await app.getMe.execute(new GetMeQuery(ann.user.id))).firstName).toBe('A');
  });

  it('joins the unit of work it is called in: when that unit fails, the change and its event are gone', async () => {
    const ann = await app.user('ann@example.com');
    const events = app.uow.events.length;
    const outer = app.uow.run(async (repos) => {
      const view = await app.updateProfile.execute(new UpdateProfileCommand(ann.user.id, { firstName: 'Ann' }));
      // inside the unit, the change is visible (same transaction)...
      expect((await repos.users.findById(ann.user.id))!.profile.firstName).toBe('Ann');
      expect(view.version).toBe(2);
      throw new Error('the caller fails after the use case');
    });
    await expect(outer).rejects.toThrow('the caller fails');
    // ...and rolled back with it
    expect((await app.getMe.execute(new GetMeQuery(ann.user.id))).firstName).toBeNull();
    expect(app.uow.events).toHaveLength(events);
  });

  it('rejects invalid changes as a validation error', async () => {
    const ann = await app.user('ann@example.com');
    expect(await failure(app.updateProfile.execute(new UpdateProfileCommand(ann.user.id, { profileImageUrl: 'ftp://x' })))).toBe(
      'validation:VALIDATION_FAILED',
    );
  });
});

describe('reading users', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('self, admin, super-admin and customer-support read anyone; others get 404 for existing and missing ids alike', async () => {
    const ann = await app.user('ann@example.com');
    const bob = await app.user('bob@example.com');
    const admin = await app.user('admin@example.com', 'admin');
    const support = await app.user('support@example.com', 'customer-support');
    const mod = await app.user('mod@example.com', 'content-moderator');
    expect((await app.getUser.execute(new GetUserQuery(ann.user.id, ann.user.id))).id).toBe(ann.user.id);
    expect((await app.getUser.execute(new GetUserQuery(admin.user.id, ann.user.id))).id).toBe(ann.user.id);
    expect((await app.getUser.execute(new GetUserQuery(support.user.id, ann.user.id))).id).toBe(ann.user.id);
    expect(await failure(app.getUser.execute(new GetUserQuery(bob.user.id, ann.user.id)))).toBe('not_found:USER_NOT_FOUND');
    expect(await failure(app.getUser.execute(new GetUserQuery(mod.user.id, ann.user.id)))).toBe('not_found:USER_NOT_FOUND');
    expect(await failure(app.getUser.execute(new GetUserQuery(bob.user.id, '0190a1b2-0000-7000-8000-000000000001')))).toBe(
      'not_found:USER_NOT_FOUND',
    );
    expect(await failure(app.getUser.execute(new GetUserQuery(admin.user.id, 'not-a-uuid')))).toBe('validation:INVALID_ID');
  });

  it('GetUsers answers in request order, without unknown ids or duplicates, and caps the batch', async () => {
    const ann = await app.user('ann@example.com');
    const bob = await app.user('bob@example.com');
    const unknown = '0190a1b2-0000-7000-8000-000000000001';
    const users = await app.getUsers.execute(new GetUsersQuery([bob.user.id, unknown, ann.user.id, bob.user.id]));
    expect(users.map((u) => u.id)).toEqual([bob.user.id, ann.user.id]);
    expect(await app.getUsers.execute(new GetUsersQuery([]))).toEqual([]);
    expect(await failure(app.getUsers.execute(new GetUsersQuery(['bad'])))).toBe('validation:INVALID_ID');
    expect(await failure(app.getUsers.execute(new GetUsersQuery(Array.from({ length: 101 }, () => unknown))))).toBe(
      'validation:VALIDATION_FAILED',
    );
  });

  it('GetUsers leaves deactivated users out', async () => {
    const ann = await app.user('ann@example.com');
    const bob = await app.user('bob@example.com');
    await app.uow.run(async (repos) => {
      const u = (await repos.users.findById(bob.user.id))!;
      u.deactivate(null, 'gdpr');
      await repos.users.save(u);
    });
    expect((await app.getUsers.execute(new GetUsersQuery([ann.user.id, bob.user.id]))).map((u) => u.id)).toEqual([ann.user.id]);
  });

  it('a deactivated caller is unauthenticated', async () => {
    const ann = await app.user('ann@example.com');
    await app.uow.run(async (repos) => {
      const u = (await repos.users.findById(ann.user.id))!;
      u.deactivate(null);
      await repos.users.save(u);
    });
    expect(await failure(app.getMe.execute(new GetMeQuery(ann.user.id)))).toBe('unauthenticated:UNAUTHENTICATED');
  });
});

describe('role assignment', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('an admin makes a member a content-moderator; RoleAssigned says who and what it was', async () => {
    const admin = await app.user('admin@example.com', 'admin');
    const ann = await app.user('ann@example.com');
    const view = await app.assignRole.execute(new AssignRoleCommand(admin.user.id, ann.user.id, 'content-moderator'));
    expect(view.role).toBe('content-moderator');
    const assigned = app.uow.eventsOfType(IdentityEventTypes.RoleAssigned).filter((e) => e.aggregateId === ann.user.id);
    expect(assigned.map((e) => e.data)).toEqual([
      expect.objectContaining({ role: 'content-moderator', previousRole: 'member', assignedBy: admin.user.id }),
    ]);
  });

  it('enforces who may grant what', async () => {
    const superAdmin = await app.user('root@example.com', 'super-admin');
    const admin = await app.user('admin@example.com', 'admin');
    const ann = await app.user('ann@example.com');
    const bob = await app.user('bob@example.com');
    const cases: Array<[string, Promise<unknown>]> = [
      ['forbidden:FORBIDDEN', app.assignRole.execute(new AssignRoleCommand(ann.user.id, bob.user.id, 'content-moderator'))],
      ['forbidden:ROLE_ASSIGNMENT_FORBIDDEN', app.assignRole.execute(new AssignRoleCommand(admin.user.id, ann.user.id, 'admin'))],
      ['forbidden:ROLE_ASSIGNMENT_FORBIDDEN', app.assignRole.execute(new AssignRoleCommand(admin.user.id, superAdmin.user.id, 'member'))],
      ['forbidden:CANNOT_CHANGE_OWN_ROLE', app.assignRole.execute(new AssignRoleCommand(admin.user.id, admin.user.id, 'member'))],
      ['forbidden:CANNOT_CHANGE_OWN_ROLE', app.assignRole.execute(new AssignRoleCommand(superAdmin.user.id, superAdmin.user.id, 'admin'))],
      ['validation:INVALID_ROLE', app.assignRole.execute(new AssignRoleCommand(superAdmin.user.id, ann.user.id, 'god'))],
      ['validation:INVALID_ID', app.assignRole.execute(new AssignRoleCommand(superAdmin.user.id, 'nope', 'member'))],
      [
        'not_found:USER_NOT_FOUND',
        app.assignRole.execute(new AssignRoleCommand(superAdmin.user.id, '0190a1b2-0000-7000-8000-000000000001', 'member')),
      ],
    ];
    for (const [expected, p] of cases) expect(await failure(p)).toBe(expected);
    expect((await app.assignRole.execute(new AssignRoleCommand(superAdmin.user.id, ann.user.id, 'admin'))).role).toBe('admin');
    expect((await app.assignRole.execute(new AssignRoleCommand(superAdmin.user.id, ann.user.id, 'super-admin'))).role).toBe('super-admin');
    // now two super-admins: one may demote the other, after which the survivor is the last one
    expect((await app.assignRole.execute(new AssignRoleCommand(ann.user.id, superAdmin.user.id, 'member'))).role).toBe('member');
  });

  it('assigning the role someone already has changes nothing', async () => {
    const admin = await app.user('admin@example.com', 'admin');
    const ann = await app.user('ann@example.com');
    const before = app.uow.events.length;
    const version = app.uow.tables.users.get(ann.user.id)!.version;
    expect((await app.assignRole.execute(new AssignRoleCommand(admin.user.id, ann.user.id, 'member'))).version).toBe(1);
    expect(app.uow.events.length).toBe(before);
    expect(app.uow.tables.users.get(ann.user.id)!.version).toBe(version);
  });

  it('a refused assignment changes nothing and records no event', async () => {
    const root = await app.user('root@example.com', 'super-admin');
    const other = await app.user('other@example.com', 'super-admin');
    expect((await app.assignRole.execute(new AssignRoleCommand(root.user.id, other.user.id, 'admin'))).role).toBe('admin');
    const before = app.uow.events.length;
    expect(await failure(app.assignRole.execute(new AssignRoleCommand(root.user.id, root.user.id, 'admin')))).toBe(
      'forbidden:CANNOT_CHANGE_OWN_ROLE',
    );
    expect(app.uow.tables.users.get(root.user.id)!.role).toBe('super-admin');
    expect(app.uow.events.length).toBe(before);
  });
});

describe('roles and permissions', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('admins list roles with permissions; members may not', async () => {
    const admin = await app.user('admin@example.com', 'admin');
    const ann = await app.user('ann@example.com');
    const roles = await app.listRoles.execute(new ListRolesQuery(admin.user.id));
    expect(roles.map((r) => r.name)).toEqual(['member', 'admin', 'super-admin', 'customer-support', 'content-moderator']);
    expect(roles.find((r) => r.name === 'super-admin')!.permissions).toEqual([{ resource: '*', action: '*' }]);
    expect(await failure(app.listRoles.execute(new ListRolesQuery(ann.user.id)))).toBe('forbidden:FORBIDDEN');
  });

  it('only a super-admin grants; a grant records PermissionGranted once; CheckPermission sees it', async () => {
    const root = await app.user('root@example.com', 'super-admin');
    const admin = await app.user('admin@example.com', 'admin');
    const mod = await app.user('mod@example.com', 'content-moderator');
    expect(await failure(app.grantPermission.execute(new GrantPermissionCommand(admin.user.id, 'member', 'x', 'y')))).toBe(
      'forbidden:FORBIDDEN',
    );
    const check = () => app.checkPermission.execute(new CheckPermissionQuery(mod.user.id, 'comments', 'delete'));
    expect(await check()).toEqual({ allowed: false, role: 'content-moderator' });
    const first = await app.grantPermission.execute(new GrantPermissionCommand(root.user.id, 'content-moderator', 'comments', 'delete'));
    const again = await app.grantPermission.execute(new GrantPermissionCommand(root.user.id, 'content-moderator', 'Comments', 'DELETE'));
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.role.permissions).toContainEqual({ resource: 'comments', action: 'delete' });
    const granted = app.uow.eventsOfType(IdentityEventTypes.PermissionGranted);
    expect(granted).toHaveLength(1);
    expect(granted[0]!.aggregateId).toBe(ROLE_IDS['content-moderator']);
    expect(granted[0]!.data).toMatchObject({ role: 'content-moderator', resource: 'comments', action: 'delete', grantedBy: root.user.id });
    expect(await check()).toEqual({ allowed: true, role: 'content-moderator' });
    expect(await failure(app.grantPermission.execute(new GrantPermissionCommand(root.user.id, 'nobody', 'a', 'b')))).toBe(
      'validation:INVALID_ROLE',
    );
    expect(await failure(app.grantPermission.execute(new GrantPermissionCommand(root.user.id, 'member', '', 'b')))).toBe(
      'validation:INVALID_PERMISSION',
    );
  });

  it('CheckPermission: wildcards for super-admin, never for unknown or deactivated users', async () => {
    const root = await app.user('root@example.com', 'super-admin');
    const ann = await app.user('ann@example.com');
    expect(await app.checkPermission.execute(new CheckPermissionQuery(root.user.id, 'stories', 'delete'))).toEqual({
      allowed: true,
      role: 'super-admin',
    });
    expect(await app.checkPermission.execute(new CheckPermissionQuery(ann.user.id, 'stories', 'create'))).toEqual({
      allowed: true,
      role: 'member',
    });
    expect(await app.checkPermission.execute(new CheckPermissionQuery('0190a1b2-0000-7000-8000-000000000001', 'stories', 'create'))).toEqual({
      allowed: false,
    });
    await app.uow.run(async (repos) => {
      const u = (await repos.users.findById(ann.user.id))!;
      u.deactivate(null);
      await repos.users.save(u);
    });
    expect((await app.checkPermission.execute(new CheckPermissionQuery(ann.user.id, 'stories', 'create'))).allowed).toBe(false);
    expect(await failure(app.checkPermission.execute(new CheckPermissionQuery(ann.user.id, '*', 'create')))).toBe(
      'validation:VALIDATION_FAILED',
    );
  });

  it('GetJwks publishes the RS256 public key (and no private parts)', async () => {
    const jwks = await app.getJwks.execute(new GetJwksQuery());
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String), e: 'AQAB' });
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});
