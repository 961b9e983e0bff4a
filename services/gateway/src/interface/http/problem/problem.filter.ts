import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { currentContext, getLogger } from '@storytelling/platform';
import type { NextFunction, Request, Response } from 'express';
import { CORRELATION_HEADER } from '../middleware/request-context.middleware.js';
import { PROBLEM_CONTENT_TYPE, ProblemException } from './problem.js';
import { toProblem } from './to-problem.js';

const log = getLogger('http');

type AllowedMethodsResolver = (path: string) => string[];
const allowedMethodResolvers = new WeakMap<object, AllowedMethodsResolver>();

/** Lets routing 404s become 405 + Allow when the path exists for other methods. */
export function setAllowedMethodsResolver(expressApp: object, resolver: AllowedMethodsResolver): void {
  allowedMethodResolvers.set(expressApp, resolver);
}

function methodNotAllowed(err: unknown, req: Request, path: string): ProblemException | undefined {
  if (!(err instanceof HttpException) || err.getStatus() !== 404) return undefined;
  const resolver = allowedMethodResolvers.get(req.app);
  const allowed = resolver ? resolver(path) : [];
  if (allowed.length === 0 || allowed.includes(req.method)) return undefined;
  return ProblemException.of('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}.`, { Allow: allowed.join(', ') });
}

/**
 * Writes one problem+json response for anything thrown while serving `req`. Used by the global
 * Nest filter and by the express-level fallback (errors raised before Nest routing).
 */
export function sendProblem(err: unknown, req: Request, res: Response): void {
  const path = (req.originalUrl ?? req.url ?? '/').split('?')[0] ?? '/';
  const { problem, headers, unexpected } = toProblem(methodNotAllowed(err, req, path) ?? err, req.method, path);
  const correlationId = currentContext()?.correlationId ?? headerValue(res.getHeader(CORRELATION_HEADER));
  if (unexpected) {
    log.error({ err, method: req.method, path }, 'unexpected error while serving a request');
  } else if (problem.status >= 500) {
    log.warn({ code: problem.code, method: req.method, path, cause: err instanceof Error ? err.message : undefined }, 'dependency failure');
  } else {
    log.debug({ code: problem.code, status: problem.status, method: req.method, path }, 'request rejected');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  // A failed request must not be cached, and its body is problem+json whatever was negotiated.
  res.setHeader('Cache-Control', 'no-store');
  res.status(problem.status);
  res.type(PROBLEM_CONTENT_TYPE);
  res.send(JSON.stringify({ ...problem, instance: path, ...(correlationId ? { correlationId } : {}) }));
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
    sendProblem(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }
}

/** Express error-handling middleware for errors raised outside Nest's pipeline. */
export function expressProblemHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  sendProblem(err, req, res);
}
