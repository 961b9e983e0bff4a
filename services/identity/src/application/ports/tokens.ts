/** Nest injection tokens for the application ports (the clock is the kernel's CLOCK). */
export const PASSWORD_HASHER = Symbol('identity.PasswordHasher');
export const ACCESS_TOKEN_ISSUER = Symbol('identity.AccessTokenIssuer');
export const REFRESH_TOKEN_SECRETS = Symbol('identity.RefreshTokenSecrets');
export const IDENTITY_UNIT_OF_WORK = Symbol('identity.UnitOfWork');
export const TOKEN_SETTINGS = Symbol('identity.TokenSettings');
