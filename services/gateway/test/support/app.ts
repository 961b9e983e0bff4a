import { uuidv7 } from '@storytelling/kernel';
import type { INestApplication } from '@nestjs/common';
import { createGatewayApp, type CreateGatewayAppOptions } from '../../src/app.js';
import { AUDIENCE, FakeIdentity, ISSUER } from './fake-identity.js';
import { FakeStory } from './fake-story.js';
import { FakeNotification } from './fake-notification.js';
import { FakePayments } from './fake-payments.js';
import { FakeSubscription } from './fake-subscription.js';
import { FakeNarration } from './fake-narration.js';
import { RecordingStorage } from './recording-storage.js';

/** A signing secret for /files links in tests (≥ 32 characters). */
export const TEST_FILES_SECRET = 'test-files-signing-secret-0123456789abcdef';

/** Rate limits no unit test reaches (the rate-limit tests set their own). */
export const NO_RATE_LIMITS = { RATE_LIMIT_AUTH_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '100000' };

export interface FakeGateway {
  app: INestApplication;
  identity: FakeIdentity;
  story: FakeStory;
  notification: FakeNotification;
  payments: FakePayments;
  subscription: FakeSubscription;
  narration: FakeNarration;
  /** The media store (a temp folder), shared with the fake narration service. */
  storage: RecordingStorage;
  server: ReturnType<INestApplication['getHttpServer']>;
}

export async function fakeGateway(env: Record<string, string> = {}, identity?: FakeIdentity, story?: FakeStory): Promise<FakeGateway> {
  const doubles = {
    identity: identity ?? (await FakeIdentity.create()),
    story: story ?? new FakeStory(),
    notification: new FakeNotification(),
    payments: new FakePayments(),
    subscription: new FakeSubscription(),
    narration: new FakeNarration(),
  };
  const storage = new RecordingStorage();
  doubles.narration.storage = storage;
  const app = await createGatewayApp(
    { HTTP_PORT: '0', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://gateway.test', FILES_SIGNING_SECRETS: TEST_FILES_SECRET, ...env },
    { ...doubles, objectStorage: storage, logger: false },
  );
  return { app, ...doubles, storage, server: app.getHttpServer() };
}

export interface MemberGateway {
  gw: FakeGateway;
  /** A member, signed in with a token of the fake identity's key. */
  userId: string;
  token: string;
}

/** A fake gateway without rate limits and a member's token for it: the route tests' starting point. */
export async function fakeGatewayWithMember(): Promise<MemberGateway> {
  const gw = await fakeGateway(NO_RATE_LIMITS);
  const userId = uuidv7();
  return { gw, userId, token: await gw.identity.tokenFor('member', userId) };
}

/**
 * The real gateway in process in front of real services (`<PEER>_GRPC_URL`s in `env`), on a free
 * port, quiet, with rate limits high enough for a test's many registrations; `env` wins.
 */
export async function startGateway(env: Record<string, string>, options: CreateGatewayAppOptions = {}): Promise<INestApplication> {
  return createGatewayApp(
    { HTTP_PORT: '0', LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000', FILES_SIGNING_SECRETS: TEST_FILES_SECRET, ...env },
    { logger: false, ...options },
  );
}
