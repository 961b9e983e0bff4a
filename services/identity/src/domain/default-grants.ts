import type { RoleName } from './role-name.js';

/**
 * The grants every environment starts with (seeded by the first migration, without events:
 * they are configuration, not something anyone did). Super-admins may add more at runtime
 * (PermissionGranted). `*` matches any resource or action.
 */
export const DEFAULT_GRANTS: Readonly<Record<RoleName, ReadonlyArray<readonly [resource: string, action: string]>>> = {
  member: [
    ['stories', 'create'],
    ['voices', 'create'],
    ['collaborations', 'create'],
    ['videos', 'create'],
  ],
  'content-moderator': [
    ['stories', 'read'],
    ['stories', 'moderate'],
  ],
  'customer-support': [
    ['users', 'read'],
    ['subscriptions', 'read'],
    ['payments', 'read'],
  ],
  admin: [
    ['users', 'read'],
    ['users', 'assign-role'],
    ['roles', 'read'],
    ['stories', 'read'],
    ['stories', 'moderate'],
    ['stories', 'delete'],
    ['subscriptions', 'read'],
    ['payments', 'read'],
  ],
  'super-admin': [['*', '*']],
};

export const ROLE_DESCRIPTIONS: Readonly<Record<RoleName, string>> = {
  member: 'Everyone who signs up: writes, narrates and shares their own stories',
  admin: 'Runs the platform day to day: users, roles below admin, moderation',
  'super-admin': 'Everything, including granting admin and super-admin and editing permissions',
  'customer-support': 'Reads accounts, subscriptions and payments to help people',
  'content-moderator': 'Reviews and moderates published content',
};
