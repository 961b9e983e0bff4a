import type { SubscriptionRepositories } from './ports/index.js';

/**
 * A command handler whose use case a consumer (or the scheduler) runs inside the transaction it
 * already holds, so the effect commits with the consumer's inbox row (exactly once per event).
 * `execute` (the bus) runs the same `executeIn` in a transaction of its own.
 */
export interface InTransaction<TCommand, TResult = void> {
  executeIn(repos: SubscriptionRepositories, command: TCommand): Promise<TResult>;
}
