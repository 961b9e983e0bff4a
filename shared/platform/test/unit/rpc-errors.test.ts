import grpcJs from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import {
  BusinessRuleError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  VersionConflictError,
  type ErrorKind,
} from '@storytelling/kernel';
import { DeadlinePassedError } from '../../src/context/index.js';
import { callDeadline } from '../../src/rpc/grpc-context.interceptor.js';
import { GRPC_STATUS_BY_KIND, grpcErrorToProblem, toGrpcStatus, type GrpcStatusError } from '../../src/rpc/index.js';

const { status, Metadata } = grpcJs;

/** What a grpc-js client sees when the server answered with `s`. */
function asClientError(s: GrpcStatusError): Error & { code: number; details: string; metadata: grpcJs.Metadata } {
  return Object.assign(new Error(`${s.code} ${grpcJs.status[s.code]}: ${s.details}`), { code: s.code, details: s.details, metadata: s.metadata });
}

const cases: Array<[ErrorKind, DomainError, number, number, string]> = [
  ['validation', new ValidationError('bad input', [{ field: 'email', message: 'invalid' }]), status.INVALID_ARGUMENT, 400, 'VALIDATION_FAILED'],
  ['unauthenticated', new UnauthenticatedError('TOKEN_EXPIRED', 'token expired'), status.UNAUTHENTICATED, 401, 'TOKEN_EXPIRED'],
  ['forbidden', new ForbiddenError('only admins', 'ADMIN_ONLY'), status.PERMISSION_DENIED, 403, 'ADMIN_ONLY'],
  ['not_found', new NotFoundError('user', 'USER_NOT_FOUND'), status.NOT_FOUND, 404, 'USER_NOT_FOUND'],
  ['conflict', new ConflictError('EMAIL_TAKEN', 'email taken'), status.ALREADY_EXISTS, 409, 'EMAIL_TAKEN'],
  ['precondition', new VersionConflictError('s-1', 2), status.FAILED_PRECONDITION, 412, 'VERSION_CONFLICT'],
  ['business_rule', new BusinessRuleError('QUOTA_EXCEEDED', 'quota used up'), status.FAILED_PRECONDITION, 422, 'QUOTA_EXCEEDED'],
  ['unavailable', new DomainError('unavailable', 'TTS_DOWN', 'speech provider down'), status.UNAVAILABLE, 503, 'TTS_DOWN'],
];

describe('rpc errors: DomainError -> gRPC status -> problem details', () => {
  it('covers every ErrorKind', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(Object.keys(GRPC_STATUS_BY_KIND).sort());
  });

  it.each(cases)('%s', (kind, error, grpcCode, httpStatus, code) => {
    const s = toGrpcStatus(error, { retryAfterSeconds: 7 });
    expect(s.code).toBe(grpcCode);
    expect(s.details).toBe(error.message);
    expect(s.metadata.get('x-error-code')).toEqual([code]);
    expect(s.metadata.get('x-error-kind')).toEqual([kind]);

    const problem = grpcErrorToProblem(asClientError(s));
    expect(problem.status).toBe(httpStatus);
    expect(problem.code).toBe(code);
    expect(problem.type).toBe(`/problems/${code.toLowerCase().replace(/_/g, '-')}`);
    expect(problem.title).toEqual(expect.any(String));
    if (httpStatus < 500) expect(problem.detail).toBe(error.message);
    if (kind === 'validation') expect(problem.errors).toEqual([{ field: 'email', message: 'invalid' }]);
    else expect(problem.errors).toBeUndefined();
    if (kind === 'unavailable') expect(problem.retryAfter).toBe(7);
  });

  it('keeps field errors with non-ASCII text intact through ASCII-only metadata', () => {
    const s = toGrpcStatus(new ValidationError('bad', [{ field: 'displayName', message: 'darf nicht leer sein — ß' }]));
    const raw = s.metadata.get('x-field-errors')[0] as string;
    expect(raw).toMatch(/^[\x20-\x7e]*$/);
    expect(grpcErrorToProblem(asClientError(s)).errors).toEqual([{ field: 'displayName', message: 'darf nicht leer sein — ß' }]);
  });

  it('answers unknown errors INTERNAL with no detail', () => {
    const s = toGrpcStatus(new TypeError('x is undefined at db.ts:42 password=...'));
    expect(s.code).toBe(status.INTERNAL);
    expect(s.details).toBe('internal error');
    expect(s.metadata.getMap()).toEqual({});
    expect(toGrpcStatus('a string').code).toBe(status.INTERNAL);
  });

  it('passes explicit RpcException statuses through', () => {
    const s = toGrpcStatus(new RpcException({ code: status.RESOURCE_EXHAUSTED, message: 'slow down' }));
    expect([s.code, s.details]).toEqual([status.RESOURCE_EXHAUSTED, 'slow down']);
    expect(toGrpcStatus(new RpcException('plain')).code).toBe(status.INTERNAL);
  });

  it("answers DEADLINE_EXCEEDED when the caller's own deadline passed before the transaction", () => {
    const s = toGrpcStatus(new DeadlinePassedError(Date.now() - 1));
    expect([s.code, s.details]).toEqual([status.DEADLINE_EXCEEDED, 'deadline exceeded; nothing was applied']);
  });

  it('reads the deadline of a grpc-js server call (Date or number), none when infinite', () => {
    expect(callDeadline({ getDeadline: () => new Date(1_700_000_000_000) })).toBe(1_700_000_000_000);
    expect(callDeadline({ getDeadline: () => 1_700_000_000_123 })).toBe(1_700_000_000_123);
    expect(callDeadline({ getDeadline: () => Infinity })).toBeUndefined();
    expect(callDeadline(undefined)).toBeUndefined();
  });

  it('turns a failed downstream call into UNAVAILABLE (dependency down) or INTERNAL', () => {
    const md = new Metadata();
    const down = Object.assign(new Error('14 UNAVAILABLE'), { code: status.UNAVAILABLE, details: 'No connection', metadata: md });
    const slow = Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: status.DEADLINE_EXCEEDED, details: 'Deadline', metadata: md });
    const notFound = Object.assign(new Error('5 NOT_FOUND'), { code: status.NOT_FOUND, details: 'user', metadata: md });
    expect(toGrpcStatus(down).code).toBe(status.UNAVAILABLE);
    expect(toGrpcStatus(slow).code).toBe(status.UNAVAILABLE);
    expect(toGrpcStatus(notFound).code).toBe(status.INTERNAL);
  });
});

describe('rpc errors: gRPC status without platform metadata -> problem details', () => {
  const err = (code: number, details = 'x', metadata = new Metadata()) => Object.assign(new Error(details), { code, details, metadata });

  it.each([
    [status.INVALID_ARGUMENT, 400, 'VALIDATION_FAILED'],
    [status.UNAUTHENTICATED, 401, 'UNAUTHENTICATED'],
    [status.PERMISSION_DENIED, 403, 'FORBIDDEN'],
    [status.NOT_FOUND, 404, 'NOT_FOUND'],
    [status.ALREADY_EXISTS, 409, 'CONFLICT'],
    [status.ABORTED, 409, 'CONFLICT'],
    [status.FAILED_PRECONDITION, 422, 'BUSINESS_RULE_VIOLATION'],
    [status.RESOURCE_EXHAUSTED, 429, 'RATE_LIMITED'],
    [status.OUT_OF_RANGE, 400, 'VALIDATION_FAILED'],
    [status.UNIMPLEMENTED, 501, 'NOT_IMPLEMENTED'],
    [status.INTERNAL, 500, 'INTERNAL'],
    [status.UNKNOWN, 500, 'INTERNAL'],
    [status.DATA_LOSS, 500, 'INTERNAL'],
    [status.UNAVAILABLE, 503, 'SERVICE_UNAVAILABLE'],
    [status.DEADLINE_EXCEEDED, 503, 'SERVICE_UNAVAILABLE'],
    [status.CANCELLED, 503, 'SERVICE_UNAVAILABLE'],
  ])('gRPC %i -> HTTP %i %s', (code, http, problemCode) => {
    const p = grpcErrorToProblem(err(code, 'server said: internal table users_pkey'));
    expect([p.status, p.code]).toEqual([http, problemCode]);
    if (http >= 500) expect(p.detail).not.toContain('users_pkey');
    if (http === 503) expect(p.retryAfter).toBe(5);
  });

  it('reads VERSION_CONFLICT on FAILED_PRECONDITION as 412 and honours x-retry-after', () => {
    const md = new Metadata();
    md.set('x-error-code', 'VERSION_CONFLICT');
    expect(grpcErrorToProblem(err(status.FAILED_PRECONDITION, 'stale', md)).status).toBe(412);
    const md2 = new Metadata();
    md2.set('x-retry-after', '30');
    expect(grpcErrorToProblem(err(status.UNAVAILABLE, 'down', md2)).retryAfter).toBe(30);
  });

  it('maps a request that could not be serialized to 400 MALFORMED_REQUEST', () => {
    expect(grpcErrorToProblem(err(status.INTERNAL, 'Request message serialization failure: invalid wire type'))).toMatchObject({
      status: 400,
      code: 'MALFORMED_REQUEST',
    });
    expect(grpcErrorToProblem(err(status.INTERNAL, 'Error deserializing request'))).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('ignores malformed x-field-errors and treats non-gRPC errors as 500', () => {
    const md = new Metadata();
    md.set('x-field-errors', '{not json');
    expect(grpcErrorToProblem(err(status.INVALID_ARGUMENT, 'bad', md)).errors).toBeUndefined();
    expect(grpcErrorToProblem(new Error('boom'))).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred.' });
    expect(grpcErrorToProblem(undefined).status).toBe(500);
  });

  it('takes a custom type base', () => {
    expect(grpcErrorToProblem(err(status.NOT_FOUND), { typeBase: 'https://docs.example/problems/' }).type).toBe('https://docs.example/problems/not-found');
  });
});
