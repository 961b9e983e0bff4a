import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, type SwaggerCustomOptions, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { STATIC_ASSET_ROUTE } from '../allowed-methods.js';
import { FieldErrorDto, ProblemDto } from '../dto/common.dto.js';
import { HTTP_CONTROLLERS } from '../http-edge.js';
import { exactDocument } from './exact-document.js';

export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = 'docs';

export function buildOpenApiDocument(app: INestApplication, publicBaseUrl: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Storytelling Platform API')
    .setDescription(
      'Public REST API of the Storytelling Platform (API.md). Errors are RFC 9457 application/problem+json ' +
        'with a stable `code` (docs/api-errors.md). Every response carries `x-correlation-id`. ' +
        'A method a path does not list (e.g. POST /.well-known/jwks.json) answers 405 METHOD_NOT_ALLOWED with `Allow`.',
    )
    .setVersion('1.0.0')
    .addServer(publicBaseUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /api/v1/auth/login' })
    .build();
  return exactDocument(SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto, FieldErrorDto] }), HTTP_CONTROLLERS);
}

/**
 * swagger's page, its init script and /openapi.json, without the static assets: on Fastify,
 * `SwaggerModule.setup` serves those through @fastify/static, which cannot be loaded under jest
 * (it requires the ESM-only content-disposition 3), so the gateway serves them itself.
 */
class DocumentsOnlySwaggerModule extends SwaggerModule {
  static serve(app: INestApplication, document: () => OpenAPIObject, options: SwaggerCustomOptions): void {
    const path = `/${DOCS_PATH}`;
    this.serveDocuments(path, DOCS_PATH, app.getHttpAdapter(), document, {
      ui: true,
      raw: ['json'],
      jsonDocumentUrl: OPENAPI_JSON_PATH,
      yamlDocumentUrl: `${path}-yaml`,
      swaggerOptions: options,
    });
  }
}

const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** swagger-ui-dist's files (what express.static served below /docs), by lower-case name. */
function swaggerUiAssets(): Map<string, string> {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isFile()) files.set(name.toLowerCase(), file);
  }
  return files;
}

/**
 * `/openapi.json` and the interactive page at `/docs`. swagger-ui's assets come from the
 * swagger-ui-dist package served by the gateway itself: nothing is loaded from a CDN.
 */
export function setupOpenApi(app: INestApplication, publicBaseUrl: string): void {
  DocumentsOnlySwaggerModule.serve(app, () => buildOpenApiDocument(app, publicBaseUrl), {
    customSiteTitle: 'Storytelling Platform API',
    swaggerOptions: { persistAuthorization: false, validatorUrl: 'none', tryItOutEnabled: true },
  });
  const assets = swaggerUiAssets();
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.get<{ Params: { file: string } }>(`/${DOCS_PATH}/:file`, { config: { [STATIC_ASSET_ROUTE]: true } }, (request, reply) => {
    const file = assets.get(request.params.file.toLowerCase());
    if (!file) return reply.callNotFound();
    return reply.type(ASSET_TYPES[extname(file)] ?? 'application/octet-stream').send(createReadStream(file));
  });
}
