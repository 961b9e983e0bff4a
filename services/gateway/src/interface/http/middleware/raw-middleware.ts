import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A step of the gateway's request edge on Node's own request and response (Fastify's
 * `request.raw` / `reply.raw`): headers it sets reach every answer, those Fastify sends and those
 * a route writes itself (/files). `next(err)` hands an error to the problem+json error handler.
 */
export type RawMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** A request whose body the edge has read (`body`, JSON-parsed or a webhook's raw bytes). */
export type RequestWithBody = IncomingMessage & { body?: unknown };

/** Runs middlewares in order; the first error (or the last `next`) ends the chain. */
export function chain(middlewares: readonly RawMiddleware[]): RawMiddleware {
  return (req, res, done) => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined || index === middlewares.length) {
        done(err);
        return;
      }
      const middleware = middlewares[index++]!;
      try {
        middleware(req, res, next);
      } catch (error) {
        done(error);
      }
    };
    next();
  };
}

const API_PATH = /^\/api\/v1(?=[/?]|$)/i;

/**
 * The path below `/api/v1` (`/stories/x`, without the query string), as express' `req.path` was
 * below the body middleware's mount point; undefined for a request outside the API.
 */
export function pathBelowApi(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const match = API_PATH.exec(url);
  if (!match) return undefined;
  const rest = url.slice(match[0].length);
  const query = rest.indexOf('?');
  const path = query === -1 ? rest : rest.slice(0, query);
  return path === '' ? '/' : path;
}
