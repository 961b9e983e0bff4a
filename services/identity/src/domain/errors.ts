import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '@storytelling/kernel';

/** Identity's stable error codes (API.md): the platform maps each kind to gRPC/HTTP status. */
export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'an account with this email already exists');
  }
}

/** One answer for unknown email, wrong password and inactive account. */
export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('INVALID_CREDENTIALS', 'invalid email or password');
  }
}

export class TokenReusedError extends UnauthenticatedError {
  constructor() {
    super('TOKEN_REUSED', 'refresh token was already used; the session has been revoked');
  }
}

export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked');
  }
}

export class CannotChangeOwnRoleError extends ForbiddenError {
  constructor() {
    super('nobody may change their own role', 'CANNOT_CHANGE_OWN_ROLE');
  }
}

export class RoleAssignmentForbiddenError extends ForbiddenError {
  constructor(message = 'only a super-admin may grant or revoke admin and super-admin') {
    super(message, 'ROLE_ASSIGNMENT_FORBIDDEN');
  }
}

export class LastSuperAdminError extends BusinessRuleError {
  constructor() {
    super('LAST_SUPER_ADMIN', 'the last active super-admin cannot be demoted or deactivated');
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('user', 'USER_NOT_FOUND');
  }
}

export class UserInactiveError extends UnauthenticatedError {
  constructor() {
    super('USER_INACTIVE', 'this account is deactivated');
  }
}
