import { describeError } from '../logging/redaction.js';

/**
 * A message that cannot be understood (not JSON, not a valid CloudEvent). Retrying cannot help:
 * the consumer sends it straight to the dead-letter topic.
 */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/**
 * Thrown by a handler when it knows retrying is pointless (the event contradicts its state in a
 * way time will not fix). The consumer dead-letters the message without retries.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export function isNonRetryable(err: unknown): boolean {
  return err instanceof NonRetryableError || err instanceof MalformedMessageError;
}

/** `Name: message`; a database error's quoted values masked (it ends up in logs and dead letters). */
export function errorMessage(err: unknown): string {
  return describeError(err);
}
