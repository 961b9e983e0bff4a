// jest globalTeardown: drops the run's database and topics; stops infrastructure only if the run
// started it and CI or TEST_STOP_INFRA=1 is set (see scripts/lib/test-run.mjs).
import { teardownTestRun } from '../../../scripts/lib/test-run.mjs';

export default async function globalTeardown(): Promise<void> {
  await teardownTestRun();
}
