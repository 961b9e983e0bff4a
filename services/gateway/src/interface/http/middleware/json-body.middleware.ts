import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { currentContext, runWithContext } from '@storytelling/platform';
import { ProblemException } from '../problem/problem.js';
import { sendProblem } from '../problem/problem.filter.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/i;

export function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mediaType = value.split(';')[0]!.trim();
  return JSON_TYPE.test(mediaType);
}

/** A route whose bodies may be larger than the default limit (e.g. a story's content). */
export interface BodyLimitRoute {
  method: string;
  /** Matched against the path below the middleware's mount point (`req.path`). */
  path: RegExp;
  limitBytes: number;
}

/**
 * JSON body parsing for the API routes, with the errors the API promises: a body that is not
 * JSON → 415, larger than the limit → 413 (checked against Content-Length before reading),
 * unparsable → 400 MALFORMED_JSON. Compressed bodies are refused (415) rather than inflated.
 * Errors are answered here as problem+json, since this runs before Nest's routing.
 * The limit is BODY_LIMIT, except on the `routes` given (first match wins).
 */
export function jsonBodyMiddleware(limitBytes: number, routes: readonly BodyLimitRoute[] = []): RequestHandler {
  const parserFor = (limit: number) => express.json({ limit, strict: true, inflate: false, type: () => true });
  const defaultParser = parserFor(limitBytes);
  const special = routes.map((r) => ({ ...r, parse: parserFor(r.limitBytes) }));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) {
      next();
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      sendProblem(
        ProblemException.of('UNSUPPORTED_MEDIA_TYPE', 'This endpoint accepts application/json bodies only.'),
        req,
        res,
      );
      return;
    }
    const context = currentContext();
    const parse = special.find((r) => r.method === req.method && r.path.test(req.path))?.parse ?? defaultParser;
    parse(req, res, (err?: unknown) => {
      // raw-body resumes from stream events, outside the request's async context: re-enter it.
      const proceed = (): void => (err ? sendProblem(err, req, res) : next());
      if (context) runWithContext(context, proceed);
      else proceed();
    });
  };
}
