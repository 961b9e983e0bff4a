// @storytelling/testing: the harness every service's tests use against real PostgreSQL and Kafka.
export { testEnvironment, type TestEnvironment, type TestRunState } from './test-environment.js';
export { serviceEnv } from './service-env.js';
export { SERVICE_TOKEN_CALLERS, serviceCredentials, serviceTokenSecret } from '../../../scripts/lib/service-env.mjs';
export { freePort } from '@storytelling/platform';
export { waitUntil } from './wait-until.js';
export { EventProbe, type CloudEventEnvelope, type EventProbeOptions, type ProbedEvent } from './event-probe.js';
export { ensureTopics, withKafkaAdmin } from './kafka-admin.js';
export { startFleetProcesses, type FleetProcesses, type FleetProcessesOptions, type RunningService } from './fleet-processes.js';
export { TEST_ENV_VARIABLE, newRunId, runIdCreatedAt, testDatabaseName, topicPrefixFor } from '../../../scripts/lib/test-run.mjs';
export {
  adminUrl,
  databaseUrlFor,
  databaseExists,
  dropDatabase,
  ensureDatabase,
  provisionServices,
  servicesWithSchema,
  type SchemaOwner,
} from '../../../scripts/lib/provisioning.mjs';
export { grpcOutcome } from './grpc-outcome.js';
export { startGrpcTestServer, type FakeUnaryHandler, type GrpcTestServer } from './grpc-test-server.js';
export {
  createServiceSandbox,
  dropSchemaWithRole,
  schemaWithRole,
  type DatabaseSandbox,
  type ServiceSandbox,
  type ServiceSandboxEnv,
  type ServiceSandboxOptions,
} from './sandbox.js';
export { SandboxKafka, type DeadLetter, type SandboxKafkaOptions, type TestCloudEvent, type TopicSandbox } from './sandbox-kafka.js';
export { consumersJoined, inProcessEnv, startInProcess, type InProcessAppOptions, type InProcessService } from './in-process.js';
export { idempotentInMemory, runIdempotentInMemory, type IdempotencyKeyTable } from './unit/in-memory-idempotency.js';
export { InMemorySagaPort, type SentCommand } from './unit/in-memory-saga-port.js';
export { InMemoryUnitOfWork } from './unit/in-memory-unit-of-work.js';
export { SagaTest, sagaTest } from './unit/saga-test.js';
export { appendToOutbox, outcomeOf, type OutboxEntry } from './unit/in-memory-outbox.js';
