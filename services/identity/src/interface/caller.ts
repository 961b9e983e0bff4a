import { UnauthenticatedError } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { bearerToken, type MetadataLike } from '@storytelling/platform';
import type { AccessTokenVerifier, VerifiedCaller } from '../application/ports/index.js';
import { ACCESS_TOKEN_VERIFIER } from '../application/ports/index.js';

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

export type { MetadataLike };
