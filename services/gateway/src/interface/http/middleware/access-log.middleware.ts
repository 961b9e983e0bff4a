import type { ServerResponse } from 'node:http';
import { getLogger } from '@storytelling/platform';
import type { FastifyRequest } from 'fastify';

const log = getLogger('access');

/**
 * One line per request (after the context step, so it carries the correlation id): method, path
 * without the query string (no secrets from URLs), status, duration, client IP (Fastify's
 * `request.ip`, which honours TRUST_PROXY). 5xx at warn, everything else at info; health probes
 * and metrics scrapes at debug. Timed on the Node response, so answers a route writes itself count.
 */
export function logAccess(request: FastifyRequest, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => writeAccessLine(request, res, started));
}

function writeAccessLine(request: FastifyRequest, res: ServerResponse, started: bigint): void {
  const path = (request.raw.url ?? '/').split('?')[0];
  const level = res.statusCode >= 500 ? 'warn' : path === '/health' || path === '/ready' || path === '/metrics' ? 'debug' : 'info';
  // Below LOG_LEVEL (e.g. warn in benchmarks): no entry is built for a line nobody writes.
  if (!log.isLevelEnabled(level)) return;
  const entry = {
    method: request.raw.method,
    path,
    status: res.statusCode,
    durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  };
  log[level](entry, 'request');
}
