import { Body, Controller, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PORT, type IdentityPort } from '../../../application/identity.port.js';
import { AuthSessionDto, LoginBody, RefreshTokenBody, RegisterBody, TokenPairDto } from '../dto/auth.dto.js';
import { NoQuery } from '../dto/common.dto.js';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { ApiIdempotencyKey } from '../openapi/idempotency-key.decorator.js';

/** /auth: the strict `auth` rate limit applies to the whole group (per client IP). */
@ApiTags('auth')
@RateLimit('auth')
@Controller('auth')
export class AuthController {
  constructor(@Inject(IDENTITY_PORT) private readonly identity: IdentityPort) {}

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
  @ApiOperation({ summary: 'Revoke a refresh token of the caller' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiProblems(400, 401, 413, 415)
  async logout(@Body() body: RefreshTokenBody, @Query() _query: NoQuery): Promise<void> {
    await this.identity.logout(body.refreshToken);
  }
}
