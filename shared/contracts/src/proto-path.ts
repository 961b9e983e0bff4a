import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the .proto files are at runtime. NestJS' gRPC transport and the platform's gRPC clients
 * load them with @grpc/proto-loader, so they must be found from `src/` (tests, ts), from
 * `dist/` (compiled) and inside a container image.
 *
 * Resolution order:
 *   1. `PROTO_PATH` environment variable (absolute, or relative to the working directory);
 *   2. `proto/` shipped inside this package (`shared/contracts/proto`, if a build copies it);
 *   3. the repository's `proto/` (this file is at shared/contracts/{src,dist}/proto-path.*, so the
 *      repository root is three levels up; container images copy the repository's proto/ there).
 */
export function protoRoot(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.PROTO_PATH;
  if (override !== undefined && override !== '') {
    const dir = isAbsolute(override) ? override : resolve(process.cwd(), override);
    if (!existsSync(dir)) throw new Error(`PROTO_PATH=${override} does not exist`);
    return dir;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '..', 'proto'), resolve(here, '..', '..', '..', 'proto')];
  for (const dir of candidates) {
    if (existsSync(join(dir, 'storytelling'))) return dir;
  }
  throw new Error(`proto files not found (looked in ${candidates.join(', ')}); set PROTO_PATH`);
}

/** Absolute path of a proto file given relative to the proto root. */
export function protoFile(relativePath: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(protoRoot(env), relativePath);
}

/** What a gRPC server or client needs to know about one published service. */
export interface ProtoServiceRef {
  /** Proto package, e.g. `storytelling.identity.v1`. */
  readonly package: string;
  /** Service name inside the package, e.g. `IdentityService`. */
  readonly service: string;
  /** File relative to the proto root. */
  readonly file: string;
}

/** Every gRPC service of the published language, by context. */
export const PROTO_SERVICES = {
  identity: {
    package: 'storytelling.identity.v1',
    service: 'IdentityService',
    file: 'storytelling/identity/v1/identity_service.proto',
  },
  story: {
    package: 'storytelling.story.v1',
    service: 'StoryService',
    file: 'storytelling/story/v1/story_service.proto',
  },
  subscription: {
    package: 'storytelling.subscription.v1',
    service: 'SubscriptionService',
    file: 'storytelling/subscription/v1/subscription_service.proto',
  },
  payments: {
    package: 'storytelling.payments.v1',
    service: 'PaymentsService',
    file: 'storytelling/payments/v1/payments_service.proto',
  },
  notification: {
    package: 'storytelling.notification.v1',
    service: 'NotificationService',
    file: 'storytelling/notification/v1/notification_service.proto',
  },
  narration: {
    package: 'storytelling.narration.v1',
    service: 'NarrationService',
    file: 'storytelling/narration/v1/narration_service.proto',
  },
} as const satisfies Record<string, ProtoServiceRef>;

export type ProtoServiceName = keyof typeof PROTO_SERVICES;
