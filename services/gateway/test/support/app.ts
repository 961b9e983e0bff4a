import type { INestApplication } from '@nestjs/common';
import { createGatewayApp } from '../../src/app.js';
import { AUDIENCE, FakeIdentity, ISSUER } from './fake-identity.js';

export interface FakeGateway {
  app: INestApplication;
  identity: FakeIdentity;
  server: ReturnType<INestApplication['getHttpServer']>;
}

export async function fakeGateway(env: Record<string, string> = {}, identity?: FakeIdentity): Promise<FakeGateway> {
  const fake = identity ?? (await FakeIdentity.create());
  const app = await createGatewayApp(
    { HTTP_PORT: '0', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://gateway.test', ...env },
    { identity: fake, logger: false },
  );
  return { app, identity: fake, server: app.getHttpServer() };
}
