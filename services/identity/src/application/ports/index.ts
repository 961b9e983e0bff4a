export * from './access-tokens.js';
export * from './oidc-provider.js';
export * from './password-hasher.js';
export * from './refresh-token-secrets.js';
export * from './settings.js';
export * from './tokens.js';
export * from './unit-of-work.js';
export * from './service-tokens.js';
