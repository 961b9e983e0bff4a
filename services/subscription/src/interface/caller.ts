import { ForbiddenError, UnauthenticatedError } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenVerifier, SERVICE_TOKEN_ROLE } from '@storytelling/platform';
import type { Caller } from '../application/caller.js';

/** The part of @grpc/grpc-js `Metadata` this layer reads. */
export interface MetadataLike {
  get(key: string): Array<string | Buffer>;
}

/**
 * Who is calling: `authorization: Bearer <access token>` in the call metadata, verified against
 * identity's JWKS (AccessTokenVerifier, keys cached). Never a field of the request.
 */
@Injectable()
export class CallerResolver {
  constructor(@Inject(AccessTokenVerifier) private readonly verifier: AccessTokenVerifier) {}

  /**
   * A person (member, admin, ...). A service token (`role: service`, audience `subscription`) is
   * refused here: services only reach the queries that call `requireUserOrService`.
   */
  async require(metadata: MetadataLike | undefined): Promise<Caller> {
    const viewer = await this.requireUserOrService(metadata);
    if (viewer.role === SERVICE_TOKEN_ROLE) throw new ForbiddenError('a service token cannot act for a user', 'SERVICE_NOT_ALLOWED');
    return viewer;
  }

  /** A person or another fleet service (docs/adr/0016-service-tokens.md). */
  async requireUserOrService(metadata: MetadataLike | undefined): Promise<Caller> {
    const token = bearerToken(metadata);
    if (!token) throw new UnauthenticatedError('UNAUTHENTICATED', 'a bearer access token is required');
    const claims = await this.verifier.verify(token);
    return { userId: claims.userId.toLowerCase(), role: claims.role };
  }
}

export function bearerToken(metadata: MetadataLike | undefined): string | undefined {
  const raw = metadata?.get('authorization')[0];
  const value = typeof raw === 'string' ? raw : raw?.toString('utf8');
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}
