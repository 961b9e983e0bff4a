import 'reflect-metadata';
import { type INestApplication, NotFoundException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { collectDefaultMetrics, httpMetricsMiddleware, PinoNestLogger, setServiceName } from '@storytelling/platform';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { METHODS } from 'node:http';
import { type Env, type GatewayConfig, loadGatewayConfig } from './config/gateway-config.js';
import { GATEWAY_CONFIG, GatewayModule, type GatewayModuleOptions } from './gateway.module.js';
import { API_PREFIX } from './interface/http/api-prefix.js';
import { GatewayHttpAdapter } from './interface/http/http-server.js';
import { accessLogMiddleware } from './interface/http/middleware/access-log.middleware.js';
import { jsonBodyMiddleware } from './interface/http/middleware/json-body.middleware.js';
import { rawWebhookBodyMiddleware } from './interface/http/middleware/raw-webhook-body.middleware.js';
import { staticSecurityHeaders } from './interface/http/middleware/security-headers.middleware.js';
import { CORRELATION_HEADER, requestContextMiddleware } from './interface/http/middleware/request-context.middleware.js';
import { streamedUploadMiddleware } from './interface/http/middleware/streamed-upload.middleware.js';
import { setupOpenApi } from './interface/http/openapi/openapi.js';
import { expressProblemHandler, sendProblem, setAllowedMethodsResolver } from './interface/http/problem/problem.filter.js';

export { API_PREFIX } from './interface/http/api-prefix.js';
/** Served at the root, outside /api/v1. */
const ROOT_ROUTES = ['.well-known/jwks.json', 'health', 'ready', 'metrics'];

export interface CreateGatewayAppOptions extends GatewayModuleOptions {
  /** Nest's bootstrap logging (default: through pino). */
  logger?: false;
}

/**
 * Builds the gateway (initialised, not listening) from an environment. main.ts listens on it;
 * tests drive `app.getHttpServer()` with supertest or call `app.listen(0)`.
 */
export async function createGatewayApp(env: Env, options: CreateGatewayAppOptions = {}): Promise<INestApplication> {
  setServiceName('gateway');
  const config = loadGatewayConfig(env);
  // Our own HTTP server: request/headers timeouts, header size limit, problem+json for what Node refuses.
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config, options), new GatewayHttpAdapter(config.http), {
    bodyParser: false,
    logger: options.logger === false ? false : new PinoNestLogger(),
    abortOnError: false,
  });
  const server = app.getHttpAdapter().getInstance() as import('express').Express;
  server.disable('x-powered-by');
  server.set('trust proxy', config.trustProxy);

  // Order matters: correlation/context first (so every answer, even a 413, carries the id),
  // then security headers, CORS, and JSON parsing of API bodies.
  collectDefaultMetrics();
  app.use(requestContextMiddleware);
  app.use(accessLogMiddleware);
  app.use(httpMetricsMiddleware());
  app.use(
    staticSecurityHeaders(
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
    ),
  );
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Range and Content-Range/Accept-Ranges: a web player fetching /files by script seeks with them.
      allowedHeaders: ['Authorization', 'Content-Type', CORRELATION_HEADER, 'If-Match', 'Idempotency-Key', 'traceparent', 'Range'],
      exposedHeaders: [CORRELATION_HEADER, 'Retry-After', 'WWW-Authenticate', 'Location', 'ETag', 'Allow', 'Content-Range', 'Accept-Ranges', 'Content-Length'],
      credentials: false,
      maxAge: 600,
    });
  }
  // A story's content (≤ 200,000 characters) needs more than BODY_LIMIT; only its two routes get it.
  // Paths are matched like express routes: case-insensitive, optional trailing slash.
  // Payment webhooks are signed over their raw bytes: their route reads the body raw instead.
  // Sample uploads (multipart) are streamed by their route into the media store: left unread here.
  app.use(
    `/${API_PREFIX}`,
    streamedUploadMiddleware(
      rawWebhookBodyMiddleware(
        jsonBodyMiddleware(config.bodyLimitBytes, [
          { method: 'POST', path: /^\/stories\/?$/i, limitBytes: config.storyBodyLimitBytes },
          { method: 'PATCH', path: /^\/stories\/[^/]+\/?$/i, limitBytes: config.storyBodyLimitBytes },
        ]),
      ),
    ),
  );
  app.setGlobalPrefix(API_PREFIX, { exclude: ROOT_ROUTES });
  setupOpenApi(app, config.publicBaseUrl);

  await app.init();

  // Anything no route claimed (outside /api/v1, which Nest covers) and any error that escaped:
  // problem+json, never express' HTML pages.
  setAllowedMethodsResolver(server, (path) => allowedMethods(server, path));
  server.use((req: Request, res: Response) => sendProblem(new NotFoundException(), req, res));
  server.use((err: unknown, req: Request, res: Response, next: NextFunction) => expressProblemHandler(err, req, res, next));
  return app;
}

export function gatewayConfigOf(app: INestApplication): GatewayConfig {
  return app.get<GatewayConfig>(GATEWAY_CONFIG);
}

interface RouterLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** Methods some route answers at `path` (for 405 + Allow instead of 404). */
function allowedMethods(server: import('express').Express, path: string): string[] {
  const stack = (server as unknown as { router?: { stack?: RouterLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    // A layer for every method is no route of ours: Nest registers one at each path excluded from the
    // global prefix (/.well-known/jwks.json, /health…); counting it would allow every method (404, not 405).
    if (!layer.route || Object.keys(layer.route.methods).length >= METHODS.length) continue;
    try {
      if (layer.match(path)) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') methods.add(m.toUpperCase());
    } catch {
      // a layer that cannot match this path (bad encoding) allows nothing
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
