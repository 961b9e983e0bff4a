// The read path's shortcuts (docs/benchmarks.md, gateway read path) must answer exactly what the
// long way did: helmet's headers computed once, the empty query of a NoQuery route, and
// correlation ids drawn from the random pool.
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { isUuid, uuidv7Time } from '@storytelling/kernel';
import { correlationUuidv7 } from '../../src/interface/http/middleware/request-context.middleware.js';
import { staticSecurityHeaders } from '../../src/interface/http/middleware/security-headers.middleware.js';
import { GatewayValidationPipe } from '../../src/interface/http/pipes/validation.pipe.js';
import { NoQuery } from '../../src/interface/http/dto/common.dto.js';
import { ListStoriesQuery } from '../../src/interface/http/dto/story.dto.js';
import { ProblemException } from '../../src/interface/http/problem/problem.js';

const HELMET_OPTIONS = {
  contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'", 'http://localhost:8080'], 'upgrade-insecure-requests': null } },
  crossOriginResourcePolicy: { policy: 'same-site' as const },
};

describe('static security headers', () => {
  function appWith(middleware: express.RequestHandler): express.Express {
    const app = express();
    app.use((_req, res, next) => {
      res.setHeader('X-Powered-By', 'something');
      next();
    });
    app.use(middleware);
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    return app;
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
