import { createServiceSandbox, type ServiceSandboxEnv } from '@storytelling/testing';

export interface StorySandbox {
  /** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX for a story process in this sandbox. */
  env: ServiceSandboxEnv;
  /** The same for an identity process publishing into this sandbox. */
  identityEnv: ServiceSandboxEnv;
  topicPrefix: string;
  /** The physical name of a logical topic in this sandbox. */
  topic(name: string): string;
}

/**
 * Schemas for story and identity and a topic prefix of their own (identity's outbox too, so its
 * events go out under THIS prefix): one file's analysis workers never take another file's jobs.
 */
export async function createStorySandbox(name: string): Promise<StorySandbox> {
  const { env, topicPrefix, topic } = await createServiceSandbox(name, ['story', 'identity']);
  return { env: env.story, identityEnv: env.identity, topicPrefix, topic };
}
