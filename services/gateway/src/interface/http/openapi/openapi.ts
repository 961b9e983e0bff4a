import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
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
 * `/openapi.json` and the interactive page at `/docs`. swagger-ui's assets come from the
 * swagger-ui-dist package served by the gateway itself: nothing is loaded from a CDN.
 */
export function setupOpenApi(app: INestApplication, publicBaseUrl: string): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app, publicBaseUrl), {
    useGlobalPrefix: false,
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Storytelling Platform API',
    swaggerOptions: { persistAuthorization: false, validatorUrl: 'none', tryItOutEnabled: true },
  });
}
