import type { INestApplication } from '@nestjs/common';
import { createGatewayApp } from '../../src/app.js';
import { AUDIENCE, FakeIdentity, ISSUER } from './fake-identity.js';
import { FakeStory } from './fake-story.js';

export interface FakeGateway {
  app: INestApplication;
  identity: FakeIdentity;
  story: FakeStory;
  server: ReturnType<INestApplication['getHttpServer']>;
}

export async function fakeGateway(env: Record<string, string> = {}, identity?: FakeIdentity, story?: FakeStory): Promise<FakeGateway> {
  const fake = identity ?? (await FakeIdentity.create());
  const fakeStory = story ?? new FakeStory();
  const app = await createGatewayApp(
    { HTTP_PORT: '0', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://gateway.test', ...env },
    { identity: fake, story: fakeStory, logger: false },
  );
  return { app, identity: fake, story: fakeStory, server: app.getHttpServer() };
}
