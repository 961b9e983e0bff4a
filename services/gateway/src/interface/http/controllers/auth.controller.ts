import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiFoundResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PORT, type IdentityPort } from '../../../application/identity.port.js';
import { AuthSessionDto, LoginBody, OidcCallbackQuery, OidcProviderParams, RefreshTokenBody, RegisterBody, TokenPairDto } from '../dto/auth.dto.js';
import { NoQuery } from '../dto/common.dto.js';
import { AccessTokenDenylist } from '../../../infrastructure/auth/access-token-denylist.js';
import type { GatewayRequest } from '../guards/gateway-request.js';
import { redirectFound } from '../redirect.js';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { ApiIdempotencyKey } from '../openapi/idempotency-key.decorator.js';

/** /auth: the strict `auth` rate limit applies to the whole group (per client IP). */
@ApiTags('auth')
@RateLimit('auth')
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(IDENTITY_PORT) private readonly identity: IdentityPort,
    @Inject(AccessTokenDenylist) private readonly denylist: AccessTokenDenylist,
  ) {}

  @Post('register')
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an account (member) and sign in', description: 'With an Idempotency-Key, a repeat returns the same account with a fresh session.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: AuthSessionDto })
  @ApiProblems(400, 409, 413, 415)
  register(@Body() body: RegisterBody, @Query() _query: NoQuery): Promise<AuthSessionDto> {
    return this.identity.register({
      email: body.email,
      password: body.password,
      displayName: body.displayName,
      ...(body.language !== undefined ? { language: body.language } : {}),
    });
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for tokens', description: 'Unknown email and wrong password get the same 401 INVALID_CREDENTIALS.' })
  @ApiOkResponse({ type: AuthSessionDto })
  @ApiProblems(400, 401, 413, 415)
  login(@Body() body: LoginBody, @Query() _query: NoQuery): Promise<AuthSessionDto> {
    return this.identity.login({ email: body.email, password: body.password });
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate a refresh token',
    description: 'A rotated (already used) token answers 401 TOKEN_REUSED and revokes its whole family.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 413, 415)
  refresh(@Body() body: RefreshTokenBody, @Query() _query: NoQuery): Promise<TokenPairDto> {
    return this.identity.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke a refresh token of the caller', description: 'The access token of the request is revoked too (401 TOKEN_REVOKED from then on).' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(400, 401, 413, 415)
  async logout(@Body() body: RefreshTokenBody, @Query() _query: NoQuery, @Req() req: GatewayRequest): Promise<void> {
    await this.identity.logout(body.refreshToken);
    // identity denylists the access token's jti too; this gateway refuses it at once, not a poll later.
    const caller = req.user!;
    if (caller.tokenId && caller.expiresAt !== undefined) this.denylist.add(caller.tokenId, caller.expiresAt * 1000);
  }

  @Get('oidc/:provider/start')
  @Public()
  @ApiOperation({
    summary: 'Sign in with an OpenID Connect provider',
    description: 'Redirects to the provider (authorization code, PKCE S256, state and nonce kept by identity, single use, 10 minutes).',
  })
  @ApiFoundResponse({ description: 'Location: the provider\'s authorization URL' })
  @ApiProblems(400, 404, 503)
  async oidcStart(@Param() params: OidcProviderParams, @Query() _query: NoQuery, @Res() res: FastifyReply): Promise<void> {
    const { authorizationUrl } = await this.identity.startOidcLogin(params.provider);
    res.header('cache-control', 'no-store');
    redirectFound(res, authorizationUrl);
  }

  @Get('oidc/:provider/callback')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'The provider\'s redirect back: signs in (links or creates the user)',
    description:
      'The ID token is validated (issuer, audience, nonce, expiry, signature). A verified email links to the account with that email or creates one; an unverified email is 403 OIDC_EMAIL_NOT_VERIFIED.',
  })
  @ApiOkResponse({ type: AuthSessionDto })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async oidcCallback(@Param() params: OidcProviderParams, @Query() query: OidcCallbackQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<AuthSessionDto> {
    res.header('cache-control', 'no-store');
    return this.identity.completeOidcLogin(params.provider, {
      code: query.code ?? '',
      state: query.state ?? '',
      ...(query.iss !== undefined ? { iss: query.iss } : {}),
    });
  }
}
