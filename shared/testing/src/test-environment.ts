import { databaseUrlFor as roleUrl } from '../../../scripts/lib/provisioning.mjs';
import { readTestRunState, type TestRunState } from '../../../scripts/lib/test-run.mjs';

export type { TestRunState };

export interface TestEnvironment extends TestRunState {
  /** The service's own connection URL (its role, confined to its schema) on the run's database. */
  databaseUrlFor(service: string): string;
  /** The physical name of a logical topic in this run: `topicPrefix + name`. */
  topic(name: string): string;
}

let cached: TestEnvironment | undefined;

/** The infrastructure of this test run: brokers, topic prefix, database URLs (set up by jest's global setup). */
export function testEnvironment(): TestEnvironment {
  if (cached) return cached;
  const state = readTestRunState();
  cached = {
    ...state,
    databaseUrlFor: (service: string) => roleUrl(service, state.databaseName),
    topic: (name: string) => `${state.topicPrefix}${name}`,
  };
  return cached;
}
