import type { IncomingMessage } from 'node:http';
import bodyParser from 'body-parser';
import { currentContext, jsonNestsDeeperThan, MAX_JSON_DEPTH, runWithContext } from '@storytelling/platform';
import { ProblemException } from '../problem/problem.js';
import { toProblem } from '../problem/to-problem.js';
import { deferProblem } from './deferred-problem.js';
import { JsonTooDeepError } from './json-depth.js';
import { pathBelowApi, type RawMiddleware } from './raw-middleware.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/i;

export function hasBody(req: IncomingMessage): boolean {
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
  /** Matched against the path below `/api/v1` (as express' `req.path` below the mount point was). */
  path: RegExp;
  limitBytes: number;
}

/** Runs on the raw bytes before JSON.parse: the nesting depth is bounded before anything recurses. */
function checkRawJson(_req: unknown, _res: unknown, bytes: Buffer, encoding: string): void {
  // RFC 8259: JSON between systems is UTF-8; the depth scan reads UTF-8 bytes.
  if (!/^utf-?8$/i.test(encoding)) throw Object.assign(new Error('charset not utf-8'), { type: 'charset.unsupported' });
  if (jsonNestsDeeperThan(bytes, MAX_JSON_DEPTH)) throw new JsonTooDeepError(MAX_JSON_DEPTH);
}

/**
 * JSON body parsing for the API routes, with the errors the API promises: a body that is not
 * JSON → 415, larger than the limit → 413 (checked against Content-Length before reading),
 * nested deeper than MAX_JSON_DEPTH → 400 JSON_TOO_DEEP (checked on the bytes, before parsing),
 * unparsable → 400 MALFORMED_JSON. Compressed bodies are refused (415) rather than inflated.
 * 413 and 415 go to the error handler at once (problem+json; the body is not read); a 400 is
 * deferred until the route's guards have run (an anonymous caller of a protected route gets 401 first).
 * The limit is BODY_LIMIT, except on the `routes` given (first match wins).
 */
export function jsonBodyMiddleware(limitBytes: number, routes: readonly BodyLimitRoute[] = []): RawMiddleware {
  const parserFor = (limit: number): RawMiddleware => bodyParser.json({ limit, strict: true, inflate: false, type: () => true, verify: checkRawJson }) as RawMiddleware;
  const defaultParser = parserFor(limitBytes);
  const special = routes.map((r) => ({ ...r, parse: parserFor(r.limitBytes) }));
  return (req, res, next): void => {
    if (!BODY_METHODS.has(req.method ?? '') || !hasBody(req)) {
      next();
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      next(ProblemException.of('UNSUPPORTED_MEDIA_TYPE', 'This endpoint accepts application/json bodies only.'));
      return;
    }
    const context = currentContext();
    const path = pathBelowApi(req.url) ?? '/';
    const parse = special.find((r) => r.method === req.method && r.path.test(path))?.parse ?? defaultParser;
    parse(req, res, (err?: unknown) => {
      // raw-body resumes from stream events, outside the request's async context: re-enter it.
      const proceed = (): void => {
        if (!err) next();
        else if (toProblem(err).problem.status === 400) {
          deferProblem(req, err);
          next();
        } else next(err);
      };
      if (context) runWithContext(context, proceed);
      else proceed();
    });
  };
}
