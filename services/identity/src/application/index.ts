export * from './actor.js';
export * from './commands/assign-role.js';
export * from './commands/bootstrap-super-admin.js';
export * from './commands/complete-oidc-login.js';
export * from './commands/grant-permission.js';
export * from './commands/issue-service-token.js';
export * from './commands/delete-account.js';
export * from './commands/login.js';
export * from './commands/logout.js';
export * from './commands/refresh.js';
export * from './commands/start-oidc-login.js';
export * from './commands/register.js';
export * from './commands/update-profile.js';
export * from './ports/index.js';
export * from './queries/check-permission.js';
export * from './queries/get-jwks.js';
export * from './queries/get-me.js';
export * from './queries/get-user.js';
export * from './queries/get-users.js';
export * from './queries/list-revoked-access-tokens.js';
export * from './queries/list-roles.js';
export * from './sessions.js';
export * from './validation.js';
export * from './views.js';

import { AssignRoleHandler } from './commands/assign-role.js';
import { BootstrapSuperAdminHandler } from './commands/bootstrap-super-admin.js';
import { CompleteOidcLoginHandler } from './commands/complete-oidc-login.js';
import { GrantPermissionHandler } from './commands/grant-permission.js';
import { IssueServiceTokenHandler } from './commands/issue-service-token.js';
import { DeleteAccountHandler } from './commands/delete-account.js';
import { LoginHandler } from './commands/login.js';
import { LogoutHandler } from './commands/logout.js';
import { RefreshHandler } from './commands/refresh.js';
import { RegisterHandler } from './commands/register.js';
import { StartOidcLoginHandler } from './commands/start-oidc-login.js';
import { UpdateProfileHandler } from './commands/update-profile.js';
import { CheckPermissionHandler } from './queries/check-permission.js';
import { GetJwksHandler } from './queries/get-jwks.js';
import { GetMeHandler } from './queries/get-me.js';
import { GetUserHandler } from './queries/get-user.js';
import { GetUsersHandler } from './queries/get-users.js';
import { ListRevokedAccessTokensHandler } from './queries/list-revoked-access-tokens.js';
import { ListRolesHandler } from './queries/list-roles.js';

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
  StartOidcLoginHandler,
  CompleteOidcLoginHandler,
  DeleteAccountHandler,
];
export const QUERY_HANDLERS = [GetMeHandler, GetUserHandler, GetUsersHandler, ListRolesHandler, CheckPermissionHandler, GetJwksHandler, ListRevokedAccessTokensHandler];
