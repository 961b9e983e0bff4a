import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

const CHARSET = /;\s*charset=/i;

/**
 * express' `res.send` behaviour, kept on Fastify (ADR 0038), as an onSend step: a text body
 * whose type names no charset gets `; charset=utf-8`; every body sent whole (JSON, a string, a
 * Buffer; not a stream) gets a weak `ETag` unless the route set one, and a GET or HEAD whose
 * `If-None-Match` matches it is answered 304 without a body. Clients revalidate
 * `GET /stories/:id` that way (API.md), and any cached body could be.
 */
export function expressSendSemantics(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  const type = reply.getHeader('content-type');
  if (typeof payload === 'string' && typeof type === 'string' && !CHARSET.test(type)) reply.header('Content-Type', `${type}; charset=utf-8`);
  // express' res.redirect ended the response itself: no ETag on a redirect.
  if (reply.statusCode >= 300 && reply.statusCode < 400 && reply.statusCode !== 304) return payload;
  let etag = reply.getHeader('etag');
  if (etag === undefined) {
    // In express' order: Content-Length, then the ETag.
    reply.header('Content-Length', String(typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length));
    etag = weakEtag(payload);
    reply.header('ETag', etag);
  }
  const status = reply.statusCode;
  const method = request.raw.method;
  if ((method === 'GET' || method === 'HEAD') && ((status >= 200 && status < 300) || status === 304) && isFresh(request.headers, String(etag))) {
    reply.code(304);
    // Like express: a 304 carries no body nor the headers that describe one.
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    reply.removeHeader('transfer-encoding');
    return null;
  }
  return payload;
}

const EMPTY_ETAG = 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';

/** The `etag` package's weak tag, as express computes it: size in hex and a SHA-1 prefix. */
export function weakEtag(body: string | Buffer): string {
  const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (length === 0) return EMPTY_ETAG;
  const hash = createHash('sha1').update(body).digest('base64').substring(0, 27);
  return `W/"${length.toString(16)}-${hash}"`;
}

const NO_CACHE = /(?:^|,)\s*?no-cache\s*?(?:,|$)/;

/** The `fresh` package's test, for a response without Last-Modified (the gateway sends none). */
export function isFresh(headers: IncomingHttpHeaders, etag: string): boolean {
  const noneMatch = headers['if-none-match'];
  const modifiedSince = headers['if-modified-since'];
  if (!noneMatch && !modifiedSince) return false;
  const cacheControl = headers['cache-control'];
  if (cacheControl && NO_CACHE.test(cacheControl)) return false;
  if (noneMatch && noneMatch !== '*') {
    const matches = noneMatch
      .split(/[ ,]+/)
      .some((t) => t !== '' && (t === etag || t === `W/${etag}` || `W/${t}` === etag));
    if (!matches) return false;
  }
  // If-Modified-Since against no Last-Modified is never fresh.
  return !modifiedSince;
}
