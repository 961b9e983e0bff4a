import { readFileSync } from 'node:fs';
import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { BusinessRuleError, ValidationError } from '@storytelling/kernel';
import { grpc } from '@storytelling/platform';
import { ERROR_CODES } from '../../src/interface/http/problem/error-codes.js';
import { problemType } from '../../src/interface/http/problem/problem.js';
import { toProblem } from '../../src/interface/http/problem/to-problem.js';
import { acceptCorrelationId, nextTraceparent } from '../../src/interface/http/middleware/request-context.middleware.js';
import { isJsonContentType } from '../../src/interface/http/middleware/json-body.middleware.js';
import { flattenValidationErrors, forbiddenKeys } from '../../src/interface/http/pipes/validation.pipe.js';

function grpcError(code: number, details: string, md: Record<string, string> = {}): Error {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return Object.assign(new Error(details), { code, details, metadata });
}

describe('toProblem', () => {
  it('maps gRPC failures with their stable code, field errors and headers', () => {
    const taken = toProblem(grpcError(6, 'email taken', { 'x-error-code': 'EMAIL_TAKEN', 'x-error-kind': 'conflict' }));
    expect(taken.problem).toMatchObject({ status: 409, code: 'EMAIL_TAKEN', type: 'https://storytelling.dev/problems/email-taken', title: 'Email already registered' });

    const invalid = toProblem(grpcError(3, 'invalid', { 'x-error-code': 'VALIDATION_FAILED', 'x-field-errors': '[{"field":"email","message":"bad"}]' }));
    expect(invalid.problem.errors).toEqual([{ field: 'email', message: 'bad' }]);

    const reused = toProblem(grpcError(16, 'reused', { 'x-error-code': 'TOKEN_REUSED' }));
    expect(reused.problem).toMatchObject({ status: 401, code: 'TOKEN_REUSED' });
    expect(reused.headers['WWW-Authenticate']).toMatch(/^Bearer/);

    expect(toProblem(grpcError(16, 'bad', { 'x-error-code': 'INVALID_TOKEN' })).problem.code).toBe('INVALID_TOKEN');
  });

  it('turns UNAVAILABLE and DEADLINE_EXCEEDED into 503 with Retry-After (honouring x-retry-after)', () => {
    const down = toProblem(grpcError(14, 'connect ECONNREFUSED 127.0.0.1:7201'));
    expect(down.problem).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(down.problem.detail).not.toContain('ECONNREFUSED');
    expect(down.headers['Retry-After']).toBe('5');
    expect(toProblem(grpcError(4, 'deadline')).problem.status).toBe(503);
    expect(toProblem(grpcError(14, 'x', { 'x-retry-after': '30' })).headers['Retry-After']).toBe('30');
  });

  it('hides internal failures of a service', () => {
    const r = toProblem(grpcError(13, 'relation "users" does not exist'));
    expect(r.problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(r.problem.detail).not.toContain('relation');
    expect(r.unexpected).toBe(true);
  });

  it('maps body-parser errors', () => {
    expect(toProblem(Object.assign(new Error('x'), { type: 'entity.too.large', limit: 10 })).problem.code).toBe('PAYLOAD_TOO_LARGE');
    expect(toProblem(Object.assign(new SyntaxError('x'), { type: 'entity.parse.failed' })).problem.code).toBe('MALFORMED_JSON');
    expect(toProblem(Object.assign(new Error('x'), { type: 'charset.unsupported' })).problem.status).toBe(415);
    expect(toProblem(Object.assign(new Error('x'), { type: 'encoding.unsupported' })).problem.status).toBe(415);
  });

  it('maps Nest and domain exceptions, and everything else to a silent 500', () => {
    expect(toProblem(new NotFoundException(), 'GET', '/x').problem).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblem(new BadRequestException('bad')).problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(toProblem(new PayloadTooLargeException()).problem.code).toBe('PAYLOAD_TOO_LARGE');
    expect(toProblem(new ValidationError('bad', [{ field: 'a', message: 'b' }])).problem.errors).toEqual([{ field: 'a', message: 'b' }]);
    expect(toProblem(new BusinessRuleError('QUOTA_EXCEEDED', 'used up')).problem).toMatchObject({ status: 422, code: 'QUOTA_EXCEEDED' });
    const boom = toProblem(new Error('db password is hunter2'));
    expect(boom.problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(boom.problem)).not.toContain('hunter2');
    expect(boom.unexpected).toBe(true);
  });

  it('builds type URIs from codes', () => {
    expect(problemType('PAYLOAD_TOO_LARGE')).toBe('https://storytelling.dev/problems/payload-too-large');
  });
});

describe('request helpers', () => {
  it('accepts only sane correlation ids', () => {
    expect(acceptCorrelationId('0190f2a0-0000-7000-8000-000000000000')).toBeDefined();
    expect(acceptCorrelationId('req_1.2:3-x')).toBe('req_1.2:3-x');
    for (const bad of ['', ' ', 'a'.repeat(129), 'x\ny', 'ünïcode', '-leading', ['a', 'b'], undefined]) {
      expect(acceptCorrelationId(bad)).toBeUndefined();
    }
  });

  it('continues a valid W3C trace and starts one otherwise', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const next = nextTraceparent(incoming);
    expect(next.startsWith('00-4bf92f3577b34da6a3ce929d0e0e4736-')).toBe(true);
    expect(next).not.toBe(incoming);
    expect(nextTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).not.toContain('0000000000000000000000000000000');
    expect(nextTraceparent('garbage')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('starts distinct traces and spans across refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const [, trace, span] = nextTraceparent(undefined).split('-') as [string, string, string, string];
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      expect(span).toMatch(/^[0-9a-f]{16}$/);
      seen.add(trace).add(span);
    }
    expect(seen.size).toBe(2000);
  });

  it('recognises JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/merge-patch+json')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('finds prototype-polluting keys at any depth', () => {
    expect(forbiddenKeys(JSON.parse('{"a":{"__proto__":{"x":1}},"constructor":1,"ok":2}'))).toEqual(['a.__proto__', 'constructor']);
    expect(forbiddenKeys({ a: [{ b: 1 }] })).toEqual([]);
  });

  it('flattens nested validation errors with dotted paths', () => {
    expect(
      flattenValidationErrors([
        { property: 'a', constraints: { isString: 'must be a string' }, children: [] },
        { property: 'b', children: [{ property: 'c', constraints: { whitelistValidation: 'property c should not exist' }, children: [] }] },
      ]),
    ).toEqual([
      { field: 'a', message: 'must be a string' },
      { field: 'b.c', message: 'is not an allowed field' },
    ]);
  });
});

describe('error catalogue', () => {
  it('documents every code in docs/api-errors.md', () => {
    const doc = readFileSync(new URL('../../../../docs/api-errors.md', import.meta.url), 'utf8');
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect({ code, documented: new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${info.status}\\s*\\|`).test(doc) }).toEqual({ code, documented: true });
    }
  });
});
