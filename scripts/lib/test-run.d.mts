export interface TestRunState {
  runId: string;
  /** `storytelling_test_<runId>`, provisioned like the fleet's database. */
  databaseName: string;
  /** Superuser URL of the run's database (assertions and clean-up only; services use their role). */
  adminUrl: string;
  brokers: string[];
  /** `t<runId>.`: prepended to every topic and consumer group of the run (KAFKA_TOPIC_PREFIX). */
  topicPrefix: string;
  /** The run's own servers (PG_PORT, KAFKA_PORT, KAFKA_CONTROLLER_PORT, STORYTELLING_INFRA_DIR); absent on shared infrastructure. */
  env?: Record<string, string>;
}
export const TEST_DATABASE_PREFIX: string;
export const TEST_ENV_VARIABLE: string;
export function newRunId(now?: number): string;
export function runIdCreatedAt(runId: string): number | null;
export function testDatabaseName(runId: string): string;
export function topicPrefixFor(runId: string): string;
/** `<run database>_f<fleetId>`: a test fleet's own database within the run. */
export function fleetDatabaseName(runId: string, fleetId: string): string;
export function runIdOfTopic(name: string): string | null;
export function dropStaleDatabases(currentRunId: string, now?: number): Promise<{ dropped: string[]; live: Set<string> }>;
export function deleteStaleTopics(brokers: string[], liveRuns: Set<string>, now?: number): Promise<{ topics: number; groups: number }>;
export function readTestRunState(): TestRunState;
export function setupTestRun(): Promise<TestRunState>;
export function teardownTestRun(): Promise<void>;
