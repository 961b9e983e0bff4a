// jest globalSetup: this run's own PostgreSQL and Kafka on free ports (.data/test-infra/<runId>/;
// TEST_SHARED_INFRA=1 uses the shared ones), a fresh database `storytelling_test_<runId>`
// provisioned like the fleet's, topic prefix `t<runId>.`, clean-up of what dead runs left. The
// logic lives in scripts/lib/test-run.mjs: jest require()s this file outside its module mapper,
// so it may import only plain JavaScript.
import { setupTestRun } from '../../../scripts/lib/test-run.mjs';

export default async function globalSetup(): Promise<void> {
  await setupTestRun();
}
