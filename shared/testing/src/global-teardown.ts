// jest globalTeardown: stops and deletes the run's own servers (on shared infrastructure: drops
// the run's database and topics, and stops the servers only if the run started them and CI or
// TEST_STOP_INFRA=1 is set). See scripts/lib/test-run.mjs.
import { teardownTestRun } from '../../../scripts/lib/test-run.mjs';

export default async function globalTeardown(): Promise<void> {
  await teardownTestRun();
}
