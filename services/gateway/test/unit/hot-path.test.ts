// The read path's shortcuts (docs/benchmarks.md, gateway read path) must answer exactly what the
// long way did: helmet's headers computed once, the empty query of a NoQuery route, UUID path
// parameters checked without class-validator's machinery, and correlation ids drawn from the
// random pool.
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import http from 'node:http';
import helmet from 'helmet';
import request from 'supertest';
import { isUuid, uuidv7Time } from '@storytelling/kernel';
import { correlationUuidv7 } from '../../src/interface/http/middleware/request-context.middleware.js';
import { staticSecurityHeaders } from '../../src/interface/http/middleware/security-headers.middleware.js';
import { GatewayValidationPipe } from '../../src/interface/http/pipes/validation.pipe.js';
import { NoQuery } from '../../src/interface/http/dto/common.dto.js';
import { ListStoriesQuery, StoryIdParams } from '../../src/interface/http/dto/story.dto.js';
import { SampleParams, SegmentParams } from '../../src/interface/http/dto/narration.dto.js';
import { ProblemException } from '../../src/interface/http/problem/problem.js';
import { uuidParamsCheck } from '../../src/interface/http/pipes/uuid-params.js';

const HELMET_OPTIONS = {
  contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'", 'http://localhost:8080'], 'upgrade-insecure-requests': null } },
  crossOriginResourcePolicy: { policy: 'same-site' as const },
};

describe('static security headers', () => {
  type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void;

  /** A bare Node server (what the request edge sees of Fastify's response) with one middleware. */
  function appWith(middleware: Middleware): http.Server {
    return http.createServer((req, res) => {
      res.setHeader('X-Powered-By', 'something');
      middleware(req, res, (err) => {
        res.statusCode = err === undefined ? 200 : 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ok: err === undefined }));
      });
    });
  }

  it('sets the same headers, in the same order, and removes the same ones as helmet itself', async () => {
    const viaHelmet = await request(appWith(helmet(HELMET_OPTIONS))).get('/x');
    const viaStatic = await request(appWith(staticSecurityHeaders(helmet(HELMET_OPTIONS)))).get('/x');
    const names = (raw: string[]): string[] => raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()).filter((n) => n !== 'date' && n !== 'etag');
    expect(viaStatic.headers).toEqual({ ...viaHelmet.headers, date: viaStatic.headers.date });
    expect(names((viaStatic as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders)).toEqual(names((viaHelmet as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders));
    expect(viaStatic.headers['content-security-policy']).toContain("connect-src 'self' http://localhost:8080");
    expect(viaStatic.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses a configuration whose headers depend on the request', () => {
    const perRequest = (_req: unknown, res: { setHeader(n: string, v: unknown): void }, next: () => void): void => {
      res.setHeader('Content-Security-Policy', ["script-src 'nonce-abc'"]);
      next();
    };
    expect(() => staticSecurityHeaders(perRequest as never)).toThrow(/not a static string/);
    expect(() => staticSecurityHeaders((() => undefined) as never)).toThrow(/did not finish/);
  });
});

describe('validation of a route without query parameters', () => {
  const pipe = new GatewayValidationPipe();

  it('turns an empty query into an empty NoQuery without validating it', async () => {
    const out = await pipe.transform({}, { type: 'query', metatype: NoQuery });
    expect(out).toBeInstanceOf(NoQuery);
    expect(Object.keys(out as object)).toEqual([]);
    const nullProto = await pipe.transform(Object.create(null), { type: 'query', metatype: NoQuery });
    expect(nullProto).toBeInstanceOf(NoQuery);
  });

  it('still refuses any query parameter there, __proto__ included', async () => {
    for (const query of [{ a: '1' }, JSON.parse('{"__proto__":{"x":1}}') as object]) {
      await expect(pipe.transform(query, { type: 'query', metatype: NoQuery })).rejects.toBeInstanceOf(ProblemException);
      await expect(pipe.transform(query, { type: 'query', metatype: NoQuery })).rejects.toMatchObject({ problem: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('runs the validators as before for a query class with fields', async () => {
    const ok = await pipe.transform({}, { type: 'query', metatype: ListStoriesQuery });
    expect(ok).toBeInstanceOf(ListStoriesQuery);
    await expect(pipe.transform({ limit: 'x' }, { type: 'query', metatype: ListStoriesQuery })).rejects.toMatchObject({ problem: { code: 'VALIDATION_FAILED' } });
  });
});

describe('UUID path parameters', () => {
  const pipe = new GatewayValidationPipe();
  const param = (metatype: new () => object) => ({ type: 'param' as const, metatype });
  const V7 = '0190a0d0-0000-7000-8000-00000000b001';
  const IDS = [
    V7,
    V7.toUpperCase(),
    '2c5ea4c0-4067-11e9-8bad-9b1deb4d3b7d', // v1
    '9b2e8f8e-7f5c-4c1e-9a7e-2f0c6f1d2a3b', // v4
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '0190a0d0-0000-9000-8000-00000000b001', // version 9
    '0190a0d0-0000-7000-c000-00000000b001', // variant c
    '0190a0d0000070008000-00000000b001',
    `${V7} `,
    ` ${V7}`,
    `${V7}\n`,
    `${V7}0`,
    '{0190a0d0-0000-7000-8000-00000000b001}',
    'not-a-uuid',
    '123',
    '',
  ];

  /** What class-validator itself decides for these parameters (the long way). */
  const classValidatorAccepts = (metatype: new () => object, value: object): boolean =>
    validateSync(plainToInstance(metatype, value), { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }).length === 0;

  it('applies only to classes whose every rule is one @IsUUID per field', () => {
    expect(uuidParamsCheck(StoryIdParams, {})).toEqual(expect.any(Function));
    expect(uuidParamsCheck(SampleParams, {})).toEqual(expect.any(Function));
    expect(uuidParamsCheck(SegmentParams, {})).toBeNull();
    expect(uuidParamsCheck(NoQuery, {})).toBeNull();
    expect(uuidParamsCheck(ListStoriesQuery, {})).toBeNull();
    expect(uuidParamsCheck(Object, {})).toBeNull();
  });

  it('accepts exactly what class-validator accepts, and never decides a refusal itself', () => {
    const check = uuidParamsCheck(StoryIdParams, {})!;
    for (const id of IDS) {
      expect({ id, accepted: check({ id }) !== undefined }).toEqual({ id, accepted: classValidatorAccepts(StoryIdParams, { id }) });
    }
    const sample = uuidParamsCheck(SampleParams, {})!;
    expect(sample({ id: V7, sampleId: V7 })).toBeInstanceOf(SampleParams);
    for (const value of [{ id: V7 }, { id: V7, sampleId: 'x' }, { id: V7, sampleId: V7, extra: V7 }, { id: 7, sampleId: V7 }, [V7, V7], null, V7]) {
      expect(sample(value)).toBeUndefined();
    }
  });

  it('answers a valid id with the DTO instance, without running class-validator', async () => {
    const counted = new GatewayValidationPipe();
    let validations = 0;
    const validate = Reflect.get(counted, 'validate') as (...args: unknown[]) => unknown;
    Reflect.set(counted, 'validate', (...args: unknown[]) => {
      validations++;
      return validate.apply(counted, args);
    });
    const out = await counted.transform({ id: V7 }, param(StoryIdParams));
    expect(out).toBeInstanceOf(StoryIdParams);
    expect({ ...(out as object) }).toEqual({ id: V7 });
    expect(validations).toBe(0);
    await expect(counted.transform({ id: 'x' }, param(StoryIdParams))).rejects.toBeInstanceOf(ProblemException);
    expect(validations).toBe(1);
  });

  it('answers a bad id as before: 400 VALIDATION_FAILED, the path parameters, "id: must be a UUID"', async () => {
    for (const id of IDS.filter((i) => !classValidatorAccepts(StoryIdParams, { id: i }))) {
      await expect(pipe.transform({ id }, param(StoryIdParams))).rejects.toMatchObject({
        problem: { code: 'VALIDATION_FAILED', status: 400, detail: 'The path parameters is invalid.', errors: [{ field: 'id', message: 'must be a UUID' }] },
      });
    }
    await expect(pipe.transform({ id: V7, sampleId: 'x' }, param(SampleParams))).rejects.toMatchObject({ problem: { errors: [{ field: 'sampleId', message: 'must be a UUID' }] } });
  });
});

describe('correlation ids from the random pool', () => {
  it('are UUIDv7s carrying the time, with random bits that differ', () => {
    const now = Date.UTC(2026, 11, 7, 17, 45, 0, 123);
    const ids = Array.from({ length: 2000 }, () => correlationUuidv7(now));
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
      expect(uuidv7Time(id)?.getTime()).toBe(now);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[19])).size).toBe(4);
  });
});
