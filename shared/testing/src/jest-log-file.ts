// jest setupFilesAfterEnv: services running inside a test file's process log to
// .data/logs/test/<runId>/in-process/<test file>.log (LOG_FILE, read by the platform's logger when
// the test file loads it), not to the test output; the test log reporter prints the tail when
// the file fails. LOG_FILE set by the caller wins (LOG_FILE=/dev/stdout shows them live).
import { join } from 'node:path';
import { dataPaths } from '../../../scripts/lib/paths.mjs';
import { testLogLabel } from '../../../scripts/lib/test-log-reporter.mjs';
import { readTestRunState } from '../../../scripts/lib/test-run.mjs';

const OWN = Symbol.for('storytelling.testing.log-file');
const testPath = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.().testPath;
const process_ = process as NodeJS.Process & { [OWN]?: boolean };
if (testPath && (process.env.LOG_FILE === undefined || process_[OWN])) {
  process.env.LOG_FILE = join(dataPaths().logs, 'test', readTestRunState().runId, 'in-process', `${testLogLabel(testPath)}.log`);
  process_[OWN] = true;
}
