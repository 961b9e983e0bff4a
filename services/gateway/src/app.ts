import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { collectDefaultMetrics, PinoNestLogger, setServiceName } from '@storytelling/platform';
import type { FastifyInstance } from 'fastify';
import { type Env, type GatewayConfig, loadGatewayConfig } from './config/gateway-config.js';
import { GATEWAY_CONFIG, GatewayModule, type GatewayModuleOptions } from './gateway.module.js';
import { API_PREFIX } from './interface/http/api-prefix.js';
import { GatewayHttpAdapter } from './interface/http/http-server.js';
import { setupOpenApi } from './interface/http/openapi/openapi.js';
import { installRequestEdge } from './interface/http/request-edge.js';

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
 * HTTP runs on Fastify (ADR 0038) with the gateway's own Node server (timeouts, header limit,
 * problem+json for what Node refuses) and its request edge as Fastify hooks.
 */
export async function createGatewayApp(env: Env, options: CreateGatewayAppOptions = {}): Promise<INestApplication> {
  setServiceName('gateway');
  const config = loadGatewayConfig(env);
  const adapter = new GatewayHttpAdapter(config.http, config.trustProxy);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, options), adapter, {
    bodyParser: false,
    logger: options.logger === false ? false : new PinoNestLogger(),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  collectDefaultMetrics();
  installRequestEdge(fastify, adapter, config);
  app.setGlobalPrefix(API_PREFIX, { exclude: ROOT_ROUTES });
  setupOpenApi(app, config.publicBaseUrl);

  await app.init();
  // Routes exist once Fastify is ready; tests drive the server without listen().
  await fastify.ready();
  return app;
}

export function gatewayConfigOf(app: INestApplication): GatewayConfig {
  return app.get<GatewayConfig>(GATEWAY_CONFIG);
}
