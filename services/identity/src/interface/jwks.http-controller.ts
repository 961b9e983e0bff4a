import { Controller, Get, Header, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetJwksQuery, type JsonWebKeySet } from '../application/index.js';

/** `GET /.well-known/jwks.json` on identity's HTTP port, for tools that speak plain HTTP (the gateway uses GetJwks). */
@Controller('.well-known')
export class JwksHttpController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<JsonWebKeySet> {
    return this.queries.execute(new GetJwksQuery());
  }
}
