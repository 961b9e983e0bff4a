import { eventType } from '@storytelling/kernel';
import type { RoleName } from './role-name.js';

/**
 * Identity's integration events. `data` is the proto3 JSON mapping of the messages in
 * proto/storytelling/identity/v1/events.proto: camelCase fields, timestamps as RFC 3339
 * strings, fields at their proto default (empty string) omitted, as ts-proto's toJSON does. No password hashes and no tokens, ever.
 */
export const IdentityEventTypes = {
  UserRegistered: eventType('identity', 'user', 'registered'),
  UserAuthenticated: eventType('identity', 'user', 'authenticated'),
  UserProfileUpdated: eventType('identity', 'user', 'profile_updated'),
  RoleAssigned: eventType('identity', 'user', 'role_assigned'),
  UserDeactivated: eventType('identity', 'user', 'deactivated'),
  PermissionGranted: eventType('identity', 'role', 'permission_granted'),
} as const;

export const USER_AGGREGATE_TYPE = 'user';
export const ROLE_AGGREGATE_TYPE = 'role';

export interface UserRegisteredData {
  userId: string;
  email: string;
  displayName: string;
  firstName?: string;
  lastName?: string;
  language: string;
  role: RoleName;
  registeredAt: string;
}

/** proto enum AuthenticationMethod, as its JSON mapping (the value's name). */
export type AuthenticationMethod =
  | 'AUTHENTICATION_METHOD_PASSWORD'
  | 'AUTHENTICATION_METHOD_REFRESH_TOKEN'
  | 'AUTHENTICATION_METHOD_OIDC';

export interface UserAuthenticatedData {
  userId: string;
  method: AuthenticationMethod;
  /** Set for OIDC logins: the provider name (never the subject or any token). */
  provider?: string;
  authenticatedAt: string;
}

export interface UserProfileUpdatedData {
  userId: string;
  displayName: string;
  firstName?: string;
  lastName?: string;
  language: string;
  profileImageUrl?: string;
  /** Names of the fields this update changed (camelCase). */
  changedFields: string[];
  updatedAt: string;
}

export interface RoleAssignedData {
  userId: string;
  role: RoleName;
  previousRole: RoleName;
  /** The user who made the change; omitted when the system did (first super-admin). */
  assignedBy?: string;
  assignedAt: string;
}

export interface UserDeactivatedData {
  userId: string;
  reason?: string;
  deactivatedBy?: string;
  deactivatedAt: string;
}

/** Subject (and Kafka key) is the role's aggregate id, its stable UUID (ROLE_IDS). */
export interface PermissionGrantedData {
  role: RoleName;
  resource: string;
  action: string;
  grantedBy?: string;
  grantedAt: string;
}
