/** The platform's roles (DOMAIN.md § Identity & Access). identity owns them; the gateway only reads. */
export const ROLES = ['member', 'admin', 'super-admin', 'customer-support', 'content-moderator'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles the gateway lets through to /admin routes (identity still decides each action). */
export const ADMIN_ROLES: readonly Role[] = ['admin', 'super-admin'];
