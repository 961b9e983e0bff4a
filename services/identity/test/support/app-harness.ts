import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity } from '@storytelling/contracts';
import type { GrpcClient, ServiceHandle } from '@storytelling/platform';
import { startInProcess } from '@storytelling/testing';
import { createIdentityApp, type CreateIdentityAppOptions } from '../../src/app.js';

export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;

export interface RunningIdentity {
  handle: ServiceHandle;
  client: IdentityClient;
  env: Record<string, string>;
  superAdmin: { email: string; password: string };
  close(): Promise<void>;
}

/**
 * identity in-process on free ports, against this run's Postgres schema and topic prefix (or a
 * sandbox's, through `overrides`), with cheap argon2 parameters and a super-admin of its own.
 * Other services' tests start it from here for real tokens and UserRegistered events.
 */
export async function startIdentity(overrides: Record<string, string> = {}, options: Omit<CreateIdentityAppOptions, 'shutdownHooks' | 'migrateOnStart'> = {}): Promise<RunningIdentity> {
  const running = await startInProcess<identity.IdentityServiceClient>('identity', PROTO_SERVICES.identity, createIdentityApp, {
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    SUPERADMIN_EMAIL: `root.${randomBytes(4).toString('hex')}@example.com`,
    SUPERADMIN_PASSWORD: 'root password 123',
    ...overrides,
  }, options);
  return { ...running, superAdmin: { email: running.env.SUPERADMIN_EMAIL!, password: running.env.SUPERADMIN_PASSWORD! } };
}

export const bearer = (token: string) => ({ metadata: { authorization: `Bearer ${token}` } });

export function uniqueEmail(name = 'user'): string {
  return `${name}.${randomBytes(5).toString('hex')}@example.com`;
}

export { grpcOutcome as outcome } from '@storytelling/testing';
