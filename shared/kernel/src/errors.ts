/**
 * Domain errors carry a stable UPPER_SNAKE `code` (the API contract) and a `kind` that the
 * platform maps to a gRPC status and then to an HTTP status. The domain never knows either.
 */
export type ErrorKind =
  | 'validation' // 400 / INVALID_ARGUMENT
  | 'unauthenticated' // 401 / UNAUTHENTICATED
  | 'forbidden' // 403 / PERMISSION_DENIED
  | 'not_found' // 404 / NOT_FOUND
  | 'conflict' // 409 / ALREADY_EXISTS or ABORTED
  | 'precondition' // 412 / FAILED_PRECONDITION (stale version)
  | 'business_rule' // 422 / FAILED_PRECONDITION with a business code
  | 'unavailable'; // 503 / UNAVAILABLE

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly fieldErrors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, fieldErrors: readonly FieldError[] = [], code = 'VALIDATION_FAILED') {
    super('validation', code, message, fieldErrors);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, code = 'NOT_FOUND') {
    super('not_found', code, `${what} not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super('conflict', code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'not allowed', code = 'FORBIDDEN') {
    super('forbidden', code, message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code = 'UNAUTHENTICATED', message = 'authentication required') {
    super('unauthenticated', code, message);
  }
}

/** Optimistic concurrency: the aggregate changed since it was read. */
export class VersionConflictError extends DomainError {
  constructor(aggregateId: string, expected: number) {
    super('precondition', 'VERSION_CONFLICT', `aggregate ${aggregateId} is no longer at version ${expected}`);
  }
}

export class BusinessRuleError extends DomainError {
  constructor(code: string, message: string) {
    super('business_rule', code, message);
  }
}
