import { buildServiceEnv } from '../../../scripts/lib/service-env.mjs';
import { testEnvironment } from './test-environment.js';

/** Where a service's data and topics live: the run's database and prefix, or a fleet's own. */
export interface ServiceNamespace {
  databaseName: string;
  topicPrefix: string;
}

/**
 * The environment a service gets from `npm start` (same builder), pointed at this test run:
 * its role on the run's database (or `namespace`'s), the run's topic prefix. Ports are
 * fleet.json's; a test that listens should override HTTP_PORT/GRPC_PORT with freePort() to not
 * collide with a running fleet.
 */
export function serviceEnv(service: string, overrides: Record<string, string> = {}, namespace?: ServiceNamespace): Record<string, string> {
  const env = testEnvironment();
  return buildServiceEnv(service, {
    databaseName: namespace?.databaseName ?? env.databaseName,
    brokers: env.brokers,
    topicPrefix: namespace?.topicPrefix ?? env.topicPrefix,
    overrides,
  });
}
