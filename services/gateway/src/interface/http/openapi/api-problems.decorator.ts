import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '../dto/common.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED with field errors, MALFORMED_JSON)',
  401: 'Missing or invalid credentials (UNAUTHENTICATED, TOKEN_EXPIRED, INVALID_TOKEN, ...)',
  403: 'Not allowed (FORBIDDEN, ...)',
  404: 'Absent or not visible to the caller',
  409: 'Conflict with the current state',
  412: 'Stale If-Match version (VERSION_CONFLICT): reload and retry',
  413: 'Body larger than BODY_LIMIT, or a sample\'s audio larger than 10 MB (PAYLOAD_TOO_LARGE)',
  415: 'Body is not application/json, or not multipart/form-data for an upload (UNSUPPORTED_MEDIA_TYPE)',
  416: 'Range past the end of the file (RANGE_NOT_SATISFIABLE, with Content-Range: bytes */size)',
  422: 'Breaks a business rule',
  428: 'If-Match is required (PRECONDITION_REQUIRED)',
  429: 'Rate limited (RATE_LIMITED, with Retry-After)',
  503: 'A dependency is down (SERVICE_UNAVAILABLE, with Retry-After)',
};

/** Documents problem+json answers of a route (plus the ones every route can give). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 429, 503])].sort();
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...all.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
