import type { ErrorKind, FieldError } from '@storytelling/kernel';
import { GrpcStatus, isMetadata, metadataValue, RpcMetadataKeys, type GrpcMetadata } from './grpc.js';

/** RFC 9457 problem details as the API returns them (API.md, "Conventions"). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable UPPER_SNAKE code. */
  code: string;
  /** Field problems of a 400. */
  errors?: FieldError[];
  /** Seconds; the gateway sends it as the `Retry-After` header (503, 429). */
  retryAfter?: number;
}

export interface ProblemOptions {
  /** Prefix of `type`; the code in kebab case is appended. Default `/problems/`. */
  typeBase?: string;
  /** Retry-After of a 503 when the server did not say. Default 5 s. */
  defaultRetryAfterSeconds?: number;
}

/** The HTTP status of each domain error kind (API.md status codes). */
export const HTTP_STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  business_rule: 422,
  unavailable: 503,
};

const HTTP_BY_STATUS: Readonly<Record<number, number>> = {
  [GrpcStatus.CANCELLED]: 503,
  [GrpcStatus.UNKNOWN]: 500,
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.DEADLINE_EXCEEDED]: 503,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.ALREADY_EXISTS]: 409,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
  [GrpcStatus.FAILED_PRECONDITION]: 422,
  [GrpcStatus.ABORTED]: 409,
  [GrpcStatus.OUT_OF_RANGE]: 400,
  [GrpcStatus.UNIMPLEMENTED]: 501,
  [GrpcStatus.INTERNAL]: 500,
  [GrpcStatus.UNAVAILABLE]: 503,
  [GrpcStatus.DATA_LOSS]: 500,
  [GrpcStatus.UNAUTHENTICATED]: 401,
};

const DEFAULT_CODE: Readonly<Record<number, string>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'VERSION_CONFLICT',
  422: 'BUSINESS_RULE_VIOLATION',
  429: 'RATE_LIMITED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'SERVICE_UNAVAILABLE',
};

export const HTTP_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** What a failed grpc-js call looks like (ServiceError), structurally. */
export interface GrpcErrorLike {
  code: number;
  details?: string;
  message?: string;
  metadata?: GrpcMetadata;
}

export function isGrpcError(err: unknown): err is GrpcErrorLike {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; metadata?: unknown; details?: unknown };
  return (
    typeof e.code === 'number' &&
    Number.isInteger(e.code) &&
    e.code >= 0 &&
    e.code <= 16 &&
    (typeof e.details === 'string' || isMetadata(e.metadata))
  );
}

/** The request never reached the handler because it could not be (de)serialized: the caller's fault. */
const MALFORMED = /^(Request message serialization failure|Error deserializing request)/;

/**
 * A failed gRPC call -> problem details for the REST client (pure; the gateway's error filter
 * uses it). 5xx problems never carry the server's text; 4xx carry the domain message, the
 * stable code and field errors. UNAVAILABLE and DEADLINE_EXCEEDED are 503 with `retryAfter`.
 * Anything that is not a gRPC error is a 500.
 */
export function grpcErrorToProblem(err: unknown, options: ProblemOptions = {}): ProblemDetails {
  const typeBase = options.typeBase ?? '/problems/';
  const defaultRetryAfter = options.defaultRetryAfterSeconds ?? 5;
  if (!isGrpcError(err)) return make(500, 'INTERNAL', 'An unexpected error occurred.', typeBase);

  const details = err.details ?? err.message ?? '';
  if (err.code === GrpcStatus.INTERNAL && MALFORMED.test(details)) {
    return make(400, 'MALFORMED_REQUEST', 'The request could not be encoded for the service.', typeBase);
  }
  const kind = metadataValue(err.metadata, RpcMetadataKeys.errorKind);
  const code = metadataValue(err.metadata, RpcMetadataKeys.errorCode);
  let status = kind !== undefined && kind in HTTP_STATUS_BY_KIND ? HTTP_STATUS_BY_KIND[kind as ErrorKind] : (HTTP_BY_STATUS[err.code] ?? 500);
  if (kind === undefined && err.code === GrpcStatus.FAILED_PRECONDITION && code === 'VERSION_CONFLICT') status = 412;

  if (status === 503) {
    const header = Number(metadataValue(err.metadata, RpcMetadataKeys.retryAfter));
    const retryAfter = Number.isInteger(header) && header > 0 ? header : defaultRetryAfter;
    const detail =
      err.code === GrpcStatus.DEADLINE_EXCEEDED
        ? 'A dependency did not answer in time; retry later.'
        : 'A dependency is unavailable; retry later.';
    return { ...make(503, code ?? 'SERVICE_UNAVAILABLE', detail, typeBase), retryAfter };
  }
  if (status >= 500) {
    return make(status, status === 501 ? 'NOT_IMPLEMENTED' : 'INTERNAL', 'An unexpected error occurred.', typeBase);
  }
  const problem = make(status, code ?? DEFAULT_CODE[status] ?? 'ERROR', details || HTTP_TITLES[status] || 'Error', typeBase);
  const errors = parseFieldErrors(metadataValue(err.metadata, RpcMetadataKeys.fieldErrors));
  if (errors.length > 0) problem.errors = errors;
  if (status === 429) {
    const header = Number(metadataValue(err.metadata, RpcMetadataKeys.retryAfter));
    if (Number.isInteger(header) && header > 0) problem.retryAfter = header;
  }
  return problem;
}

function make(status: number, code: string, detail: string, typeBase: string): ProblemDetails {
  return {
    type: `${typeBase}${code.toLowerCase().replace(/_/g, '-')}`,
    title: HTTP_TITLES[status] ?? 'Error',
    status,
    detail,
    code,
  };
}

function parseFieldErrors(raw: string | undefined): FieldError[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((e): e is { field: unknown; message: unknown } => typeof e === 'object' && e !== null)
      .filter((e) => typeof e.field === 'string' && typeof e.message === 'string')
      .map((e) => ({ field: e.field as string, message: e.message as string }));
  } catch {
    return [];
  }
}
