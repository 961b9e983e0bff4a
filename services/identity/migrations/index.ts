import { platformMigrations } from '@storytelling/platform';
import { IdentitySchema1761000000000 } from './1761000000000-identity-schema.js';
import { IdentitySeedRoles1761000000001 } from './1761000000001-identity-seed-roles.js';
import { IdentityOidcLoginAttempts1761000000002 } from './1761000000002-identity-oidc-login-attempts.js';
import { IdentityRevokedAccessTokens1761000000003 } from './1761000000003-identity-revoked-access-tokens.js';

/** identity's migrations, in order: the platform's tables (outbox, inbox) first. */
export const identityMigrations = [...platformMigrations, IdentitySchema1761000000000, IdentitySeedRoles1761000000001, IdentityOidcLoginAttempts1761000000002, IdentityRevokedAccessTokens1761000000003];
