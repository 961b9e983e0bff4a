import { Body, Controller, Get, Inject, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PORT, type IdentityPort, type ProfilePatch } from '../../../application/identity.port.js';
import { NoQuery } from '../dto/common.dto.js';
import { UpdateProfileBody, UserDto, UserIdParams } from '../dto/user.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { validationFailed } from '../pipes/validation.pipe.js';

const PROFILE_FIELDS = ['displayName', 'firstName', 'lastName', 'language', 'profileImageUrl'] as const;

@ApiTags('users')
@ApiBearerAuth()
@RateLimit('default')
@Controller('users')
export class UsersController {
  constructor(@Inject(IDENTITY_PORT) private readonly identity: IdentityPort) {}

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

  @Get(':id')
  @ApiOperation({ summary: 'One user', description: 'The caller themself, admin or customer-support; anyone else gets 404.' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404)
  get(@Param() params: UserIdParams, @Query() _query: NoQuery): Promise<UserDto> {
    return this.identity.getUser(params.id);
  }
}
