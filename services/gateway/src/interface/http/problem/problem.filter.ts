import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { currentContext, getLogger } from '@storytelling/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER } from '../middleware/request-context.middleware.js';
import { PROBLEM_CONTENT_TYPE, ProblemException } from './problem.js';
import { toProblem } from './to-problem.js';

const log = getLogger('http');

/** What express answered for a string body typed problem+json (the charset is part of the contract's answers). */
const PROBLEM_CONTENT_TYPE_HEADER = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

type AllowedMethodsResolver = (path: string) => string[];
const allowedMethodResolvers = new WeakMap<object, AllowedMethodsResolver>();

/** Lets routing 404s become 405 + Allow when the path exists for other methods (per Fastify instance). */
export function setAllowedMethodsResolver(server: object, resolver: AllowedMethodsResolver): void {
  allowedMethodResolvers.set(server, resolver);
}

/**
 * 405 + Allow for a method the path does not serve: on the router's 404, and on any other error
 * of a request no route took (Fastify refuses a body method such as QUERY without a Content-Type
 * before its not-found handler runs): the method is what is wrong.
 */
function methodNotAllowed(err: unknown, request: FastifyRequest, path: string): ProblemException | undefined {
  const unrouted = (err instanceof HttpException && err.getStatus() === 404) || request.is404;
  if (!unrouted) return undefined;
  const resolver = allowedMethodResolvers.get(request.server);
  const allowed = resolver ? resolver(path) : [];
  const method = request.raw.method ?? 'GET';
  if (allowed.length === 0 || allowed.includes(method)) return undefined;
  return ProblemException.of('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}.`, { Allow: allowed.join(', ') });
}

/**
 * Writes one problem+json response for anything thrown while serving `request`: from the global
 * Nest filter, which Nest also installs as Fastify's error and not-found handlers (errors of the
 * request edge's hooks, unmatched routes).
 */
export function sendProblem(thrown: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const err = unwrapAdapterError(thrown);
  const method = request.raw.method ?? 'GET';
  const path = (request.raw.url ?? '/').split('?')[0] ?? '/';
  const { problem, headers, unexpected } = toProblem(methodNotAllowed(err, request, path) ?? err, method, path);
  const correlationId = currentContext()?.correlationId ?? headerValue(reply.raw.getHeader(CORRELATION_HEADER));
  if (unexpected) {
    log.error({ err, method, path }, 'unexpected error while serving a request');
  } else if (problem.status >= 500) {
    log.warn({ code: problem.code, method, path, cause: err instanceof Error ? err.message : undefined }, 'dependency failure');
  } else {
    log.debug({ code: problem.code, status: problem.status, method, path }, 'request rejected');
  }
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.writableEnded) reply.raw.end();
    return;
  }
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  // A failed request must not be cached, and its body is problem+json whatever was negotiated.
  reply.header('Cache-Control', 'no-store');
  reply.code(problem.status);
  reply.type(PROBLEM_CONTENT_TYPE_HEADER);
  reply.send(JSON.stringify({ ...problem, instance: path, ...(correlationId ? { correlationId } : {}) }));
}

/**
 * Nest's Fastify adapter wraps an error with a status that reaches Fastify's error handler (from
 * the request edge: body-parser's 413/415) in an HttpException; the original says more (the limit).
 */
function unwrapAdapterError(err: unknown): unknown {
  if (err instanceof HttpException && err.cause instanceof Error && typeof (err.cause as { type?: unknown }).type === 'string') return err.cause;
  return err;
}

function headerValue(v: number | string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : String(v);
}

/** The one global exception filter: everything becomes problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
