import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PORT, type IdentityPort } from '../../../application/identity.port.js';
import { ADMIN_ROLES } from '../../../domain/roles.js';
import { AssignRoleBody, UserDto, UserIdParams } from '../dto/user.dto.js';
import { GrantPermissionBody, RoleDto, RoleListDto, RoleParams } from '../dto/admin.dto.js';
import { NoQuery } from '../dto/common.dto.js';
import { RequireRoles } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';

/**
 * /admin: the gateway lets only admin and super-admin tokens through (a cheap pre-check);
 * identity decides each action (e.g. only super-admin grants admin or permissions).
 */
@ApiTags('admin')
@ApiBearerAuth()
@RequireRoles(...ADMIN_ROLES)
@RateLimit('default')
@Controller('admin')
export class AdminController {
  constructor(@Inject(IDENTITY_PORT) private readonly identity: IdentityPort) {}

  @Put('users/:id/role')
  @ApiOperation({ summary: "Set a user's role", description: 'admin and super-admin; only super-admin grants or revokes admin and super-admin.' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404, 413, 415, 422)
  assignRole(@Param() params: UserIdParams, @Body() body: AssignRoleBody, @Query() _query: NoQuery): Promise<UserDto> {
    return this.identity.assignRole(params.id, body.role);
  }

  @Get('roles')
  @ApiOperation({ summary: 'Roles with their permissions' })
  @ApiOkResponse({ type: RoleListDto })
  @ApiProblems(400, 401, 403)
  async roles(@Query() _query: NoQuery): Promise<RoleListDto> {
    return { items: await this.identity.listRoles() };
  }

  @Post('roles/:role/permissions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Grant a (resource, action) permission to a role', description: 'super-admin. Answers the role with its permissions.' })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiProblems(400, 401, 403, 413, 415)
  grant(@Param() params: RoleParams, @Body() body: GrantPermissionBody, @Query() _query: NoQuery): Promise<RoleDto> {
    return this.identity.grantPermission(params.role, { resource: body.resource, action: body.action });
  }
}
