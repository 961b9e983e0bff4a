import type { RoleName, Role, User } from '../domain/index.js';

/** What callers see of a user: never the password hash or linked-identity subjects. */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  language: string;
  role: RoleName;
  profileImageUrl: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export function toUserView(user: User): UserView {
  const p = user.profile;
  return {
    id: user.id,
    email: user.email.value,
    displayName: p.displayName,
    firstName: p.firstName,
    lastName: p.lastName,
    language: p.language,
    role: user.role,
    profileImageUrl: p.profileImageUrl,
    active: user.active,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}

export interface PermissionView {
  resource: string;
  action: string;
}

export interface RoleView {
  id: string;
  name: RoleName;
  description: string;
  permissions: PermissionView[];
}

export function toRoleView(role: Role): RoleView {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions
      .map((p) => ({ resource: p.resource, action: p.action }))
      .sort((a, b) => a.resource.localeCompare(b.resource) || a.action.localeCompare(b.action)),
  };
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Access token lifetime in seconds. */
  expiresIn: number;
}

export interface AuthResult extends TokenPair {
  user: UserView;
}
