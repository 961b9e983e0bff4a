import type { IncomingMessage } from 'node:http';
import { httpMetricsMiddleware } from '@storytelling/platform';
import cors from 'cors';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { recordAllowedMethods } from './allowed-methods.js';
import { expressSendSemantics } from './send-semantics.js';
import type { GatewayHttpAdapter } from './http-server.js';
import { logAccess } from './middleware/access-log.middleware.js';
import { jsonBodyMiddleware } from './middleware/json-body.middleware.js';
import { chain, pathBelowApi, type RawMiddleware, type RequestWithBody } from './middleware/raw-middleware.js';
import { rawWebhookBodyMiddleware } from './middleware/raw-webhook-body.middleware.js';
import { CORRELATION_HEADER, requestContextMiddleware } from './middleware/request-context.middleware.js';
import { staticSecurityHeaders } from './middleware/security-headers.middleware.js';
import { streamedUploadMiddleware } from './middleware/streamed-upload.middleware.js';
import { sendProblem, setAllowedMethodsResolver } from './problem/problem.filter.js';
import { ProblemException } from './problem/problem.js';

const ignore = (): void => undefined;

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** find-my-way's refusals as express answered them (a path segment that does not decode: 400). */
function frameworkProblem(error: FastifyError): unknown {
  if (error.code !== 'FST_ERR_BAD_URL') return error;
  const segment = (error.message.match(/^'(.*)' is not a valid url component$/)?.[1] ?? '').split('?')[0]!.split('/').find((s) => !decodes(s));
  return ProblemException.of('VALIDATION_FAILED', segment === undefined ? 'The request path does not decode.' : `Failed to decode param '${segment}'`);
}

function securityHeaders(config: GatewayConfig): RawMiddleware {
  return staticSecurityHeaders(
    helmet({
      // swagger-ui (served locally) needs inline styles; scripts stay 'self'.
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          // swagger-ui's "Try it out" calls the advertised server (PUBLIC_BASE_URL).
          'connect-src': ["'self'", new URL(config.publicBaseUrl).origin],
          // Served over plain http locally: do not make browsers upgrade the docs' assets.
          'upgrade-insecure-requests': config.publicBaseUrl.startsWith('https:') ? [] : null,
        },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
}

/** The `cors` middleware with the options Nest's express adapter gave it (same headers, same preflight answers). */
function corsHeaders(config: GatewayConfig): RawMiddleware | undefined {
  if (config.corsOrigins.length === 0) return undefined;
  return cors({
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // Range and Content-Range/Accept-Ranges: a web player fetching /files by script seeks with them.
    allowedHeaders: ['Authorization', 'Content-Type', CORRELATION_HEADER, 'If-Match', 'Idempotency-Key', 'traceparent', 'Range'],
    exposedHeaders: [CORRELATION_HEADER, 'Retry-After', 'WWW-Authenticate', 'Location', 'ETag', 'Allow', 'Content-Range', 'Accept-Ranges', 'Content-Length'],
    credentials: false,
    maxAge: 600,
  }) as RawMiddleware;
}

/**
 * API bodies, read before routing reaches a guard (as express' body middleware did):
 * a story's content (≤ 200,000 characters) needs more than BODY_LIMIT, only its two routes get
 * it (paths matched like routes: case-insensitive, optional trailing slash); payment webhooks
 * are signed over their raw bytes, so their route reads the body raw; sample uploads (multipart)
 * are streamed by their route into the media store, left unread here.
 */
function apiBodies(config: GatewayConfig): RawMiddleware {
  const bodies = streamedUploadMiddleware(
    rawWebhookBodyMiddleware(
      jsonBodyMiddleware(config.bodyLimitBytes, [
        { method: 'POST', path: /^\/stories\/?$/i, limitBytes: config.storyBodyLimitBytes },
        { method: 'PATCH', path: /^\/stories\/[^/]+\/?$/i, limitBytes: config.storyBodyLimitBytes },
      ]),
    ),
  );
  return (req, res, next) => (pathBelowApi(req.url) === undefined ? next() : bodies(req, res, next));
}

/**
 * Everything a request passes through before its route, as Fastify hooks on the Node request
 * and response (ADR 0038). Order matters: correlation/context first (so every answer, even a
 * 413, carries the id), then the access log and metrics, security headers, CORS, and the API's
 * bodies. Errors go to Fastify's error handler, which Nest points at the problem filter.
 */
export function installRequestEdge(fastify: FastifyInstance, adapter: GatewayHttpAdapter, config: GatewayConfig): void {
  const routes = new WeakMap<IncomingMessage, string>();
  const metrics = httpMetricsMiddleware<IncomingMessage>({ routeOf: (req) => routes.get(req) });
  const headers = chain([securityHeaders(config), ...[corsHeaders(config)].filter((m) => m !== undefined)]);
  const bodies = apiBodies(config);

  fastify.addHook('onRequest', (request, reply, done) => {
    const req = request.raw;
    const res = reply.raw;
    requestContextMiddleware(req, res, () => {
      logAccess(request, res);
      const route = adapter.declaredRouteOf(request);
      if (route !== undefined) routes.set(req, route);
      metrics(req, res, ignore);
      // cors ends a preflight itself: then neither the body step nor Fastify goes on. A request no
      // route takes (404, or 405 for a method the path does not serve) is answered without reading
      // its body: the method is refused, not the body it carries.
      const afterHeaders = (err?: unknown): void => {
        if (err !== undefined) done(err as FastifyError);
        else if (request.is404) done();
        else bodies(req, res, (bodyErr) => done(bodyErr as FastifyError | undefined));
      };
      headers(req, res, afterHeaders);
    });
  });

  // The body is read above (or left for its route): Fastify's parsers must not read it again.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, _payload, done) => done(null, (request.raw as RequestWithBody).body));

  fastify.addHook('onSend', (request, reply, payload, done) => done(null, expressSendSemantics(request, reply, payload)));

  setAllowedMethodsResolver(fastify, recordAllowedMethods(fastify));

  // What the router refuses before any hook runs (a path that does not decode): the edge's
  // headers, then problem+json like every other error.
  adapter.onFrameworkError((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    requestContextMiddleware(request.raw, reply.raw, () => {
      headers(request.raw, reply.raw, ignore);
      sendProblem(frameworkProblem(error), request, reply);
    });
  });
}
