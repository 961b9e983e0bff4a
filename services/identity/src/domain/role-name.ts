/** The platform's roles. `member` is what everyone starts with. */
export const ROLE_NAMES = ['member', 'admin', 'super-admin', 'customer-support', 'content-moderator'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const DEFAULT_ROLE: RoleName = 'member';

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && (ROLE_NAMES as readonly string[]).includes(value);
}

/**
 * Stable role ids: UUIDv5 of the role name in the namespace
 * `uuidv5("https://storytelling.dev/identity/roles", URL namespace)` =
 * `1a590fe6-d343-583a-b3f8-38b5d364782e`, so every environment has
 * the same ids (the migration seeds them) and events keyed by role id line up across databases.
 */
export const ROLE_IDS: Readonly<Record<RoleName, string>> = {
  member: 'baefc5d3-efc0-5524-9a90-2a894b8fa092',
  admin: 'a5b60016-61bb-56fd-a1dc-39e063104760',
  'super-admin': '2a9685c8-ec8d-53f6-af55-6d94f17c66e5',
  'customer-support': '6bfe9c36-b2d4-5bca-a8d3-ee0b1fee8ddb',
  'content-moderator': '7c2c0e17-f7a5-5340-afef-2a96712f705f',
};

export function roleNameForId(id: string): RoleName | undefined {
  return ROLE_NAMES.find((r) => ROLE_IDS[r] === id);
}

/** Roles only a super-admin may hand out or take away. */
export const PRIVILEGED_ROLES: readonly RoleName[] = ['admin', 'super-admin'];
