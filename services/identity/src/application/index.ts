export * from './actor.js';
export * from './commands/assign-role.js';
export * from './commands/bootstrap-super-admin.js';
export * from './commands/grant-permission.js';
export * from './commands/issue-service-token.js';
export * from './commands/login.js';
export * from './commands/logout.js';
export * from './commands/refresh.js';
export * from './commands/register.js';
export * from './commands/update-profile.js';
export * from './ports/index.js';
export * from './queries/roles.js';
export * from './queries/users.js';
export * from './sessions.js';
export * from './validation.js';
export * from './views.js';

import { AssignRoleHandler } from './commands/assign-role.js';
import { BootstrapSuperAdminHandler } from './commands/bootstrap-super-admin.js';
import { GrantPermissionHandler } from './commands/grant-permission.js';
import { IssueServiceTokenHandler } from './commands/issue-service-token.js';
import { LoginHandler } from './commands/login.js';
import { LogoutHandler } from './commands/logout.js';
import { RefreshHandler } from './commands/refresh.js';
import { RegisterHandler } from './commands/register.js';
import { UpdateProfileHandler } from './commands/update-profile.js';
import { CheckPermissionHandler, GetJwksHandler, ListRolesHandler } from './queries/roles.js';
import { GetMeHandler, GetUserHandler, GetUsersHandler } from './queries/users.js';

export const COMMAND_HANDLERS = [
  RegisterHandler,
  LoginHandler,
  RefreshHandler,
  LogoutHandler,
  UpdateProfileHandler,
  AssignRoleHandler,
  GrantPermissionHandler,
  BootstrapSuperAdminHandler,
  IssueServiceTokenHandler,
];
export const QUERY_HANDLERS = [GetMeHandler, GetUserHandler, GetUsersHandler, ListRolesHandler, CheckPermissionHandler, GetJwksHandler];
