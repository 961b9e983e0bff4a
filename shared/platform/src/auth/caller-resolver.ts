import { ForbiddenError, UnauthenticatedError } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { SERVICE_TOKEN_ROLE } from './service-token.js';

/** The part of @grpc/grpc-js `Metadata` a gRPC controller reads (keeps grpc-js out of services). */
export interface MetadataLike {
  get(key: string): Array<string | Buffer>;
}

/** Who is calling, from the verified bearer token: a person, or a fleet service (`role: service`). */
export interface Caller {
  userId: string;
  role: string;
  /** The access token's `jti` and expiry, for revoking it (logout, account deletion). */
  tokenId?: string;
  tokenExpiresAt?: Date;
}

/**
 * Resolves the caller of a gRPC method: `authorization: Bearer <access token>` in the call
 * metadata, verified against identity's JWKS (AccessTokenVerifier, keys cached). Never a field
 * of the request. Every service's gRPC controller uses it (identity verifies with its own keys).
 */
@Injectable()
export class CallerResolver {
  constructor(@Inject(AccessTokenVerifier) private readonly verifier: AccessTokenVerifier) {}

  /**
   * A person (member, admin, ...). A service token is refused here: services only reach the
   * methods that call `requireUserOrService`.
   */
  async require(metadata: MetadataLike | undefined): Promise<Caller> {
    const caller = await this.requireUserOrService(metadata);
    if (caller.role === SERVICE_TOKEN_ROLE) throw new ForbiddenError('a service token cannot act for a user', 'SERVICE_NOT_ALLOWED');
    return caller;
  }

  /** A person or another fleet service (docs/adr/0016-service-tokens.md). */
  async requireUserOrService(metadata: MetadataLike | undefined): Promise<Caller> {
    const token = bearerToken(metadata);
    if (!token) throw new UnauthenticatedError('UNAUTHENTICATED', 'a bearer access token is required');
    const claims = await this.verifier.verify(token);
    return {
      userId: claims.userId.toLowerCase(),
      role: claims.role,
      ...(claims.tokenId ? { tokenId: claims.tokenId } : {}),
      tokenExpiresAt: claims.expiresAt,
    };
  }
}

/** The token of an `authorization: Bearer <token>` metadata entry, if there is one. */
export function bearerToken(metadata: MetadataLike | undefined): string | undefined {
  const raw = metadata?.get('authorization')[0];
  const value = typeof raw === 'string' ? raw : raw?.toString('utf8');
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}
