export * from './access-token-verifier.js';
export * from './service-token.js';
export * from './identity-jwks.js';
