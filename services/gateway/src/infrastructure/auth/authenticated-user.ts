import type { Role } from '../../domain/roles.js';

/** The caller as the gateway knows them after verifying the access token. */
export interface AuthenticatedUser {
  id: string;
  role: Role;
  email?: string;
  /** The token's `jti` (the denylist key, docs/adr/0030). */
  tokenId?: string;
  /** The token's `exp` (seconds since the epoch). */
  expiresAt?: number;
  /** The verified raw token, forwarded to services as gRPC metadata. */
  token: string;
}
