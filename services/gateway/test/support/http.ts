import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { PROBLEM_TYPE_BASE } from '../../src/interface/http/problem/problem.js';

/** What a test drives: the gateway's HTTP server (`app.getHttpServer()`). */
export type HttpServer = Parameters<typeof request>[0];
export type Res = request.Response;

export const PROBLEM_CONTENT_TYPE = /^application\/problem\+json/;
export const PASSWORD = 'correct horse battery';

/**
 * An RFC 9457 problem as the gateway answers every error: the status and stable `code` (any code
 * when none is given), problem+json, the problem type of that code, a title and a detail, and no
 * stack trace or module path leaking out.
 */
export function expectProblem(res: Res, status: number, code?: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code: code ?? res.body?.code });
  expect(res.headers['content-type']).toMatch(PROBLEM_CONTENT_TYPE);
  const expectedCode = String(res.body?.code);
  expect(res.body).toMatchObject({
    status,
    type: `${PROBLEM_TYPE_BASE}${expectedCode.toLowerCase().replace(/_/g, '-')}`,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |\bat \S+ \(|node_modules|stack/);
}

/** A problem's field errors as `{ field: message }`. */
export function fieldsOf(res: Res): Record<string, string> {
  return Object.fromEntries(((res.body.errors ?? []) as { field: string; message: string }[]).map((e) => [e.field, e.message]));
}

/** Requests with a bearer token. */
export function authorized(http: HttpServer, token: string) {
  const auth = (r: request.Test) => r.set('authorization', `Bearer ${token}`);
  return {
    get: (path: string) => auth(request(http).get(path)),
    post: (path: string, body?: object) => auth(request(http).post(path)).send(body),
    put: (path: string, body: object) => auth(request(http).put(path)).send(body),
    patch: (path: string, body: object, ifMatch?: string) => {
      const r = auth(request(http).patch(path));
      if (ifMatch !== undefined) r.set('if-match', ifMatch);
      return r.send(body);
    },
    delete: (path: string, ifMatch?: string) => {
      const r = auth(request(http).delete(path));
      if (ifMatch !== undefined) r.set('if-match', ifMatch);
      return r;
    },
  };
}

/** A unique address per call, so tests sharing the run's identity schema never collide. */
export const uniqueEmail = (name: string): string => `${name.toLowerCase().replace(/\W/g, '')}.${randomBytes(5).toString('hex')}@example.com`;

export interface Member {
  id: string;
  email: string;
  token: string;
  displayName: string;
}

/** Registers through the gateway (201 expected) and returns the new member with their access token. */
export async function registerMember(http: HttpServer, name: string, options: { displayName?: string; idempotencyKey?: string } = {}): Promise<Member> {
  const email = uniqueEmail(name);
  const displayName = options.displayName ?? name;
  const r = request(http).post('/api/v1/auth/register');
  if (options.idempotencyKey !== undefined) r.set('idempotency-key', options.idempotencyKey);
  const res = await r.send({ email, password: PASSWORD, displayName });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, email, token: res.body.accessToken as string, displayName };
}
