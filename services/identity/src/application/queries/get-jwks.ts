import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { AccessTokenIssuer, JsonWebKeySet } from '../ports/index.js';
import { ACCESS_TOKEN_ISSUER } from '../ports/index.js';

export class GetJwksQuery extends Query<JsonWebKeySet> {}

/** The public keys that verify identity's tokens (current and, during a rotation, previous). */
@QueryHandler(GetJwksQuery)
export class GetJwksHandler implements IQueryHandler<GetJwksQuery> {
  constructor(@Inject(ACCESS_TOKEN_ISSUER) private readonly issuer: AccessTokenIssuer) {}

  execute(_query: GetJwksQuery): Promise<JsonWebKeySet> {
    return this.issuer.jwks();
  }
}
