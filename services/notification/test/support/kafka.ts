import { SandboxKafka, type DeadLetter } from '@storytelling/testing';
import type { Sandbox } from './sandbox.js';

export type { DeadLetter };

/** Publishes CloudEvents as other services' relays would, and reads dlq.notification. */
export class TestKafka {
  private constructor(private readonly kafka: SandboxKafka) {}

  get deadLetters(): DeadLetter[] {
    return this.kafka.deadLetters;
  }

  static async start(sandbox: Sandbox): Promise<TestKafka> {
    return new TestKafka(await SandboxKafka.start(sandbox, { clientId: 'notification-test', deadLetters: 'dlq.notification' }));
  }

  /** An envelope as the producing service's relay writes it. @returns the event id */
  publish(topic: string, type: string, subject: string, data: Record<string, unknown>, options: { id?: string; version?: number; source?: string } = {}): Promise<string> {
    return this.kafka.publish(topic, { type, subject, data, ...options });
  }

  sendRaw(topic: string, key: string, value: string): Promise<void> {
    return this.kafka.sendRaw(topic, key, value);
  }

  close(): Promise<void> {
    return this.kafka.close();
  }
}
