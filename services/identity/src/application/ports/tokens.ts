/** Nest injection tokens for the application ports. */
export const PASSWORD_HASHER = Symbol('identity.PasswordHasher');
export const ACCESS_TOKEN_ISSUER = Symbol('identity.AccessTokenIssuer');
export const ACCESS_TOKEN_VERIFIER = Symbol('identity.AccessTokenVerifier');
export const REFRESH_TOKEN_SECRETS = Symbol('identity.RefreshTokenSecrets');
export const IDENTITY_UNIT_OF_WORK = Symbol('identity.UnitOfWork');
export const TOKEN_SETTINGS = Symbol('identity.TokenSettings');
export const CLOCK = Symbol('identity.Clock');
