import { HttpException } from '@nestjs/common';
import { DomainError } from '@storytelling/kernel';
import { grpcErrorToProblem, HTTP_STATUS_BY_KIND, isGrpcError, MAX_JSON_DEPTH } from '@storytelling/platform';
import { ERROR_CODES } from './error-codes.js';
import { BEARER_CHALLENGE, problem, PROBLEM_TYPE_BASE, ProblemException, type ProblemDetails } from './problem.js';

export interface ResolvedProblem {
  problem: ProblemDetails;
  headers: Record<string, string>;
  /** Unexpected: log it with its stack; the client gets no details. */
  unexpected: boolean;
}

const STATUS_CODE: Record<number, keyof typeof ERROR_CODES> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  412: 'VERSION_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'BUSINESS_RULE_VIOLATION',
  428: 'PRECONDITION_REQUIRED',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

/** Errors raised by body-parser / raw-body carry a `type` like `entity.too.large`. */
interface BodyParserError {
  type: string;
  status?: number;
  statusCode?: number;
  limit?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { type?: unknown }).type === 'string' &&
    /^(entity|request|encoding|charset|stream)\./.test((err as { type: string }).type)
  );
}

const INTERNAL_DETAIL = 'An unexpected error occurred. Quote the correlation id when reporting it.';

/**
 * Turns anything thrown while serving a request into the problem the client sees. Pure: the
 * filter and the express fallback handler both use it, so every error looks the same.
 */
export function toProblem(err: unknown, method = 'GET', path = '/'): ResolvedProblem {
  if (err instanceof ProblemException) {
    return { problem: err.problem, headers: { ...err.headers }, unexpected: false };
  }
  if (isGrpcError(err)) return fromGrpc(err);
  if (err instanceof DomainError) {
    const status = HTTP_STATUS_BY_KIND[err.kind];
    const headers: Record<string, string> = {};
    if (status === 401) headers['WWW-Authenticate'] = BEARER_CHALLENGE();
    if (status === 503) headers['Retry-After'] = String(RETRY_AFTER_UNAVAILABLE_SECONDS);
    return { problem: problem(status, err.code, err.message, [...err.fieldErrors]), headers, unexpected: false };
  }
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.too.large':
        return expected(ProblemException.of('PAYLOAD_TOO_LARGE', `The request body exceeds the limit of ${err.limit ?? '?'} bytes.`));
      case 'entity.parse.failed':
        return expected(ProblemException.of('MALFORMED_JSON', 'The request body is not valid JSON.'));
      case 'entity.too.deep':
        return expected(ProblemException.of('JSON_TOO_DEEP', `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`));
      case 'encoding.unsupported':
        return expected(ProblemException.of('UNSUPPORTED_MEDIA_TYPE', 'The content encoding is not supported.'));
      case 'charset.unsupported':
        return expected(ProblemException.of('UNSUPPORTED_MEDIA_TYPE', 'The charset is not supported; send UTF-8 JSON.'));
      case 'request.aborted':
      case 'request.size.invalid':
        return expected(ProblemException.of('VALIDATION_FAILED', 'The request body was incomplete.'));
      default:
        break;
    }
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) {
      return expected(ProblemException.of('NOT_FOUND', `No route matches ${method} ${path}.`));
    }
    if (status === 401) {
      return expected(ProblemException.of('UNAUTHENTICATED', 'Authentication is required.', { 'WWW-Authenticate': BEARER_CHALLENGE() }));
    }
    if (status === 429) {
      return expected(ProblemException.of('RATE_LIMITED', 'Too many requests; retry later.', { 'Retry-After': '60' }));
    }
    const code = STATUS_CODE[status];
    if (code && status < 500) {
      return expected(new ProblemException(problem(status, code, httpExceptionDetail(err))));
    }
    if (status === 503) {
      return expected(
        ProblemException.of('SERVICE_UNAVAILABLE', 'A dependency is unavailable; retry later.', {
          'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS),
        }),
      );
    }
  }
  return { problem: problem(500, 'INTERNAL', INTERNAL_DETAIL), headers: {}, unexpected: true };
}

/** A failed gRPC call → the platform's mapping, with the gateway's type URIs, titles and headers. */
function fromGrpc(err: unknown): ResolvedProblem {
  const mapped = grpcErrorToProblem(err, { typeBase: PROBLEM_TYPE_BASE, defaultRetryAfterSeconds: RETRY_AFTER_UNAVAILABLE_SECONDS });
  // One code for "a dependency is down, retry later", whatever the service called it.
  const code = mapped.status === 503 ? 'SERVICE_UNAVAILABLE' : mapped.code;
  const headers: Record<string, string> = {};
  if (mapped.retryAfter !== undefined) headers['Retry-After'] = String(mapped.retryAfter);
  if (mapped.status === 401) headers['WWW-Authenticate'] = BEARER_CHALLENGE();
  const result = problem(mapped.status, code, mapped.detail, mapped.errors);
  // A failure inside a dependency (5xx other than 503) is unexpected: log it, show nothing.
  return { problem: result, headers, unexpected: mapped.status >= 500 && mapped.status !== 503 };
}

function expected(e: ProblemException): ResolvedProblem {
  return { problem: e.problem, headers: { ...e.headers }, unexpected: false };
}

function httpExceptionDetail(err: HttpException): string {
  const response = err.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.every((m) => typeof m === 'string')) return message.join('; ');
  return err.message;
}
