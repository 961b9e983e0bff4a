import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity } from '@storytelling/contracts';
import { createGrpcClient, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { serviceEnv } from '@storytelling/testing';
import { createIdentityApp } from '../../src/app.js';

export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;

export interface RunningIdentity {
  handle: ServiceHandle;
  client: IdentityClient;
  env: Record<string, string>;
  superAdmin: { email: string; password: string };
  close(): Promise<void>;
}

/**
 * identity in-process on free ports, against this run's Postgres schema and topic prefix, with
 * cheap argon2 parameters and a super-admin of its own.
 */
export async function startIdentity(overrides: Record<string, string> = {}): Promise<RunningIdentity> {
  const superAdmin = { email: `root.${randomBytes(4).toString('hex')}@example.com`, password: 'root password 123' };
  const env = serviceEnv('identity', {
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    SUPERADMIN_EMAIL: superAdmin.email,
    SUPERADMIN_PASSWORD: superAdmin.password,
    ...overrides,
  });
  const handle = await createIdentityApp(env, { migrateOnStart: true, shutdownHooks: false });
  const client = createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url: handle.grpcUrl!, deadlineMs: 15_000 });
  return {
    handle,
    client,
    env,
    superAdmin: { email: env.SUPERADMIN_EMAIL!, password: env.SUPERADMIN_PASSWORD! },
    async close() {
      client.close();
      await handle.close();
    },
  };
}

export const bearer = (token: string) => ({ metadata: { authorization: `Bearer ${token}` } });

export function uniqueEmail(name = 'user'): string {
  return `${name}.${randomBytes(5).toString('hex')}@example.com`;
}

export { grpcOutcome as outcome } from '@storytelling/testing';
