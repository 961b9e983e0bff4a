import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '@storytelling/kernel';

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

export class OidcProviderNotFoundError extends NotFoundError {
  constructor(provider: string) {
    super(`OIDC provider ${JSON.stringify(provider)}`, 'OIDC_PROVIDER_NOT_FOUND');
  }
}

/** The callback's state is unknown, already used, expired, or was started for another provider. */
export class OidcStateInvalidError extends ValidationError {
  constructor() {
    super('the sign-in state is unknown, used or expired; start again', [{ field: 'state', message: 'unknown, used or expired' }], 'OIDC_STATE_INVALID');
  }
}

/** The provider refused the code, or its ID token did not validate (issuer, audience, nonce, expiry, signature). */
export class OidcLoginFailedError extends UnauthenticatedError {
  constructor() {
    super('OIDC_LOGIN_FAILED', 'the provider sign-in could not be verified');
  }
}

/** The provider does not vouch for the email: it neither links to an account nor creates one (ADR 0029). */
export class OidcEmailNotVerifiedError extends ForbiddenError {
  constructor() {
    super('the provider did not verify this email address', 'OIDC_EMAIL_NOT_VERIFIED');
  }
}

/** Deleting the account needs the current password (or, without one, a sign-in within 10 minutes). */
export class ReauthenticationRequiredError extends ForbiddenError {
  constructor(message = 'confirm with your password, or sign in again first') {
    super(message, 'REAUTHENTICATION_REQUIRED');
  }
}
