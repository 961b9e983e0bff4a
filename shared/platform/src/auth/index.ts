export * from './access-token-verifier.js';
export * from './service-token.js';
export * from './identity-jwks.js';
export * from './verified-token-cache.js';
export * from './caller-resolver.js';
