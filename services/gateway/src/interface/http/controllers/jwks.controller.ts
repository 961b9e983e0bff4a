import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PORT, type IdentityPort, type Jwks } from '../../../application/identity.port.js';
import { JwksDto, NoQuery } from '../dto/common.dto.js';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';

/** GET /.well-known/jwks.json at the root (not under /api/v1): identity's keys, proxied. */
@ApiTags('auth')
@RateLimit('default')
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(IDENTITY_PORT) private readonly identity: IdentityPort) {}

  @Get('jwks.json')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'JSON Web Key Set that verifies access tokens (RS256)' })
  @ApiOkResponse({ type: JwksDto })
  @ApiProblems(400)
  jwks(@Query() _query: NoQuery): Promise<Jwks> {
    return this.identity.getJwks();
  }
}
