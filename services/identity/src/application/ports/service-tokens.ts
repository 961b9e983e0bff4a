/** Which fleet services may ask for service tokens, and with what secret (client credentials). */
export interface ServiceCredentials {
  /** True when `secret` is the configured secret of `service`; constant-time, false for unknown services. */
  verify(service: string, secret: string): boolean;
}

export interface IssuedServiceToken {
  token: string;
  expiresIn: number;
}

/** Signs service tokens: RS256, same key and JWKS as access tokens, `sub: service:<name>`, `role: service`, `aud` = the callee. */
export interface ServiceTokenIssuer {
  issueServiceToken(service: string, audience: string): Promise<IssuedServiceToken>;
}

export const SERVICE_CREDENTIALS = Symbol('identity.ServiceCredentials');
export const SERVICE_TOKEN_ISSUER = Symbol('identity.ServiceTokenIssuer');
