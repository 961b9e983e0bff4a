import type { FieldError } from '@storytelling/kernel';
import { problem, type ProblemDetails } from '../../interface/http/problem/problem.js';

/**
 * gRPC error → problem details.
 *
 * LOCAL-UNTIL-SHARED: the platform's rpc area owns this mapping (one table for the fleet). This
 * is a minimal stand-in with the same contract; replace the body with the platform function.
 */
export interface GrpcServiceErrorLike {
  code: number;
  details?: string;
  message: string;
  metadata?: { get(key: string): Array<string | Buffer> };
}

export function isGrpcServiceError(err: unknown): err is GrpcServiceErrorLike {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; metadata?: unknown; details?: unknown };
  return typeof e.code === 'number' && Number.isInteger(e.code) && e.code >= 0 && e.code <= 16 && (typeof e.details === 'string' || typeof e.metadata === 'object');
}

const STATUS: Record<number, [number, string]> = {
  1: [499, 'CANCELLED'],
  2: [500, 'INTERNAL'],
  3: [400, 'VALIDATION_FAILED'],
  4: [503, 'SERVICE_UNAVAILABLE'],
  5: [404, 'NOT_FOUND'],
  6: [409, 'CONFLICT'],
  7: [403, 'FORBIDDEN'],
  8: [429, 'RATE_LIMITED'],
  9: [422, 'BUSINESS_RULE_VIOLATION'],
  10: [409, 'CONFLICT'],
  11: [400, 'VALIDATION_FAILED'],
  12: [501, 'NOT_IMPLEMENTED'],
  13: [500, 'INTERNAL'],
  14: [503, 'SERVICE_UNAVAILABLE'],
  15: [500, 'INTERNAL'],
  16: [401, 'UNAUTHENTICATED'],
};

function meta(err: GrpcServiceErrorLike, key: string): string | undefined {
  const v = err.metadata?.get(key)?.[0];
  return v === undefined ? undefined : v.toString();
}

export function grpcErrorToProblem(err: GrpcServiceErrorLike): { problem: ProblemDetails; headers: Record<string, string> } {
  const [status, defaultCode] = STATUS[err.code] ?? [500, 'INTERNAL'];
  if (status === 503) {
    return {
      problem: problem(503, 'SERVICE_UNAVAILABLE', 'A dependency is unavailable; retry later.'),
      headers: { 'Retry-After': '5' },
    };
  }
  if (status >= 500) return { problem: problem(500, 'INTERNAL', 'An unexpected error occurred.'), headers: {} };
  const code = meta(err, 'x-error-code') ?? defaultCode;
  let errors: FieldError[] | undefined;
  const rawErrors = meta(err, 'x-field-errors');
  if (rawErrors) {
    try {
      const parsed: unknown = JSON.parse(rawErrors);
      if (Array.isArray(parsed)) {
        errors = parsed.filter(
          (e): e is FieldError => typeof e === 'object' && e !== null && typeof (e as FieldError).field === 'string' && typeof (e as FieldError).message === 'string',
        );
      }
    } catch {
      errors = undefined;
    }
  }
  const detail = err.details && err.details.length > 0 ? err.details : err.message;
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer realm="storytelling"' } : {};
  return { problem: problem(status, /^[A-Z][A-Z0-9_]*$/.test(code) ? code : defaultCode, detail, errors), headers };
}
