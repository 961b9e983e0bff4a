import type { FieldError } from '@storytelling/kernel';
import type { ProblemDetails as PlatformProblemDetails } from '@storytelling/platform';
import { ERROR_CODES, isKnownCode } from './error-codes.js';

/**
 * RFC 9457 problem details as the public API answers them (API.md § Conventions): the platform's
 * shape (Retry-After travels as a header, not in the body) plus where and in which request.
 */
export interface ProblemDetails extends Omit<PlatformProblemDetails, 'retryAfter'> {
  /** The request path the problem occurred on. */
  instance?: string;
  /** The request's correlation id (also in the `x-correlation-id` header). */
  correlationId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://storytelling.dev/problems/';

/** `EMAIL_TAKEN` → `https://storytelling.dev/problems/email-taken`. */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;
}

const REASONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  428: 'Precondition required',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function problem(status: number, code: string, detail: string, errors?: FieldError[]): ProblemDetails {
  const title = isKnownCode(code) ? ERROR_CODES[code].title : (REASONS[status] ?? 'Error');
  return { type: problemType(code), title, status, detail, code, ...(errors && errors.length > 0 ? { errors } : {}) };
}

/**
 * Thrown anywhere in the gateway to answer with a specific problem. `headers` are added to the
 * response (Retry-After, WWW-Authenticate, Allow).
 */
export class ProblemException extends Error {
  constructor(
    readonly problem: ProblemDetails,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'ProblemException';
  }

  static of(code: keyof typeof ERROR_CODES, detail: string, headers: Record<string, string> = {}, errors?: FieldError[]): ProblemException {
    return new ProblemException(problem(ERROR_CODES[code].status, code, detail, errors), headers);
  }
}

export const BEARER_CHALLENGE = (error?: 'invalid_token', description?: string): string =>
  error ? `Bearer realm="storytelling", error="${error}"${description ? `, error_description="${description}"` : ''}` : 'Bearer realm="storytelling"';

export function unauthenticated(code: 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'INVALID_TOKEN' | 'TOKEN_REVOKED', detail: string): ProblemException {
  const header = code === 'UNAUTHENTICATED' ? BEARER_CHALLENGE() : BEARER_CHALLENGE('invalid_token', detail);
  return ProblemException.of(code, detail, { 'WWW-Authenticate': header });
}
