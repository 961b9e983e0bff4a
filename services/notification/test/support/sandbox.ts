import { createServiceSandbox, type ServiceSandboxEnv } from '@storytelling/testing';

export type StackService = 'notification' | 'identity' | 'story';

export interface Sandbox {
  /** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX of each service the sandbox was made for. */
  env: Partial<Record<StackService, ServiceSandboxEnv>>;
  topicPrefix: string;
  topic(logical: string): string;
}

/** Schemas for the given services and one topic prefix of their own (see createServiceSandbox). */
export async function createSandbox(name: string, services: readonly StackService[]): Promise<Sandbox> {
  return createServiceSandbox(name, services);
}
