import { createServiceSandbox, type ServiceSandboxEnv } from '@storytelling/testing';

export interface PaymentsSandbox {
  /** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX for a payments process in this sandbox. */
  env: ServiceSandboxEnv;
  /** The same for an identity process (tokens for the query tests). */
  identityEnv: ServiceSandboxEnv;
  topicPrefix: string;
  topic(name: string): string;
}

/** Schemas for payments and identity and a topic prefix of their own (see createServiceSandbox). */
export async function createPaymentsSandbox(name: string): Promise<PaymentsSandbox> {
  const { env, topicPrefix, topic } = await createServiceSandbox(name, ['payments', 'identity'], { topicTag: 'pay' });
  return { env: env.payments, identityEnv: env.identity, topicPrefix, topic };
}
