import { UnauthenticatedError } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import type { AccessTokenVerifier, VerifiedCaller } from '../application/ports/index.js';
import { ACCESS_TOKEN_VERIFIER } from '../application/ports/index.js';

/** The part of @grpc/grpc-js `Metadata` this layer reads (keeps grpc-js out of identity's dependencies). */
export interface MetadataLike {
  get(key: string): Array<string | Buffer>;
}

/**
 * Who is calling: read from `authorization: Bearer <access token>` in the call metadata and
 * verified with identity's own keys (no JWKS round trip to itself).
 */
@Injectable()
export class CallerResolver {
  constructor(@Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier) {}

  async require(metadata: MetadataLike | undefined): Promise<VerifiedCaller> {
    const token = bearerToken(metadata);
    if (!token) throw new UnauthenticatedError('UNAUTHENTICATED', 'a bearer access token is required');
    return this.verifier.verify(token);
  }
}

export function bearerToken(metadata: MetadataLike | undefined): string | undefined {
  const raw = metadata?.get('authorization')[0];
  const value = typeof raw === 'string' ? raw : raw?.toString('utf8');
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}
