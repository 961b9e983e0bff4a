import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The five roles under their stable ids and the default grants. A copy of the values in
 * src/domain (ROLE_IDS, ROLE_DESCRIPTIONS, DEFAULT_GRANTS) as of this migration: migrations are
 * history and must not change when the code does. Seeded grants are configuration, so they emit
 * no PermissionGranted events; the roles stay at version 0.
 */
export const SEEDED_ROLES: ReadonlyArray<[id: string, name: string, description: string, grants: Array<[string, string]>]> = [
  [
    'baefc5d3-efc0-5524-9a90-2a894b8fa092',
    'member',
    'Everyone who signs up: writes, narrates and shares their own stories',
    [
      ['stories', 'create'],
      ['voices', 'create'],
      ['collaborations', 'create'],
      ['videos', 'create'],
    ],
  ],
  [
    'a5b60016-61bb-56fd-a1dc-39e063104760',
    'admin',
    'Runs the platform day to day: users, roles below admin, moderation',
    [
      ['users', 'read'],
      ['users', 'assign-role'],
      ['roles', 'read'],
      ['stories', 'read'],
      ['stories', 'moderate'],
      ['stories', 'delete'],
      ['subscriptions', 'read'],
      ['payments', 'read'],
    ],
  ],
  [
    '2a9685c8-ec8d-53f6-af55-6d94f17c66e5',
    'super-admin',
    'Everything, including granting admin and super-admin and editing permissions',
    [['*', '*']],
  ],
  [
    '6bfe9c36-b2d4-5bca-a8d3-ee0b1fee8ddb',
    'customer-support',
    'Reads accounts, subscriptions and payments to help people',
    [
      ['users', 'read'],
      ['subscriptions', 'read'],
      ['payments', 'read'],
    ],
  ],
  [
    '7c2c0e17-f7a5-5340-afef-2a96712f705f',
    'content-moderator',
    'Reviews and moderates published content',
    [
      ['stories', 'read'],
      ['stories', 'moderate'],
    ],
  ],
];

export class IdentitySeedRoles1761000000001 implements MigrationInterface {
  name = 'IdentitySeedRoles1761000000001';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, name, description, grants] of SEEDED_ROLES) {
      await q.query(`INSERT INTO roles (id, name, description, is_system, version) VALUES ($1, $2, $3, true, 0)`, [id, name, description]);
      for (const [resource, action] of grants) {
        await q.query(`INSERT INTO role_permissions (role_id, resource, action) VALUES ($1, $2, $3)`, [id, resource, action]);
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM role_permissions WHERE granted_by IS NULL`);
    await q.query(`DELETE FROM roles WHERE is_system`);
  }
}
