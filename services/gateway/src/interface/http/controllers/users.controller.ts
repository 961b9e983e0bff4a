import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessTokenDenylist } from '../../../infrastructure/auth/access-token-denylist.js';
import type { GatewayRequest } from '../guards/gateway-request.js';
import { IDENTITY_PORT, type IdentityPort, type ProfilePatch } from '../../../application/identity.port.js';
import { NoQuery } from '../dto/common.dto.js';
import { DeleteAccountBody, UpdateProfileBody, UserDto, UserIdParams } from '../dto/user.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { validationFailed } from '../pipes/validation.pipe.js';

/** Longer than any access token lives (identity keeps its own entry for exactly that long). */
const DELETED_USER_DENY_MS = 24 * 60 * 60 * 1000;

const PROFILE_FIELDS = ['displayName', 'firstName', 'lastName', 'language', 'profileImageUrl'] as const;

@ApiTags('users')
@ApiBearerAuth()
@RateLimit('default')
@Controller('users')
export class UsersController {
  constructor(
    @Inject(IDENTITY_PORT) private readonly identity: IdentityPort,
    @Inject(AccessTokenDenylist) private readonly denylist: AccessTokenDenylist,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401)
  me(@Query() _query: NoQuery): Promise<UserDto> {
    return this.identity.getMe();
  }

  @Patch('me')
  @ApiOperation({ summary: "Change the caller's profile", description: 'Only the fields given change; null (or "") clears firstName, lastName and profileImageUrl.' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 413, 415)
  updateMe(@Body() body: UpdateProfileBody, @Query() _query: NoQuery): Promise<UserDto> {
    const patch: ProfilePatch = {};
    for (const field of PROFILE_FIELDS) {
      if (body[field] !== undefined) (patch as Record<string, unknown>)[field] = body[field];
    }
    if (Object.keys(patch).length === 0) {
      throw validationFailed('request body', [{ field: '', message: `must contain at least one of ${PROFILE_FIELDS.join(', ')}` }]);
    }
    return this.identity.updateProfile(patch);
  }

  @Delete('me')
  @HttpCode(202)
  @ApiOperation({
    summary: "Delete the caller's account (GDPR erasure)",
    description:
      'Confirmed with `password`, or for an account that signs in only with a provider by a sign-in within the last 10 minutes ' +
      '(else 403 REAUTHENTICATION_REQUIRED). At once the account is deactivated and every token stops working; ' +
      'then every context erases or anonymises the personal data it holds.',
  })
  @ApiAcceptedResponse({ description: 'Deleted; erasure in the other contexts follows' })
  @ApiProblems(400, 401, 403, 413, 415)
  async deleteMe(@Body() body: DeleteAccountBody, @Query() _query: NoQuery, @Req() req: GatewayRequest): Promise<void> {
    await this.identity.deleteAccount(body.password);
    // identity denylists `user:<id>`; this gateway refuses the caller's tokens at once, not a poll later.
    const caller = req.user!;
    this.denylist.add(`user:${caller.id}`, Date.now() + DELETED_USER_DENY_MS);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user', description: 'The caller themself, admin or customer-support; anyone else gets 404.' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404)
  get(@Param() params: UserIdParams, @Query() _query: NoQuery): Promise<UserDto> {
    return this.identity.getUser(params.id);
  }
}
