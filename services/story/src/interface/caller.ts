import { UnauthenticatedError } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from '@storytelling/platform';
import type { Viewer } from '../domain/index.js';

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

  async require(metadata: MetadataLike | undefined): Promise<Viewer> {
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
