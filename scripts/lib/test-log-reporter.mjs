// jest reporter: services' logs stay in files (.data/logs/test/<runId>/: one folder per fleet a
// test file starts, named after the file, and in-process/<file>.log for services inside the test
// process); when a test file fails, the tail of each of its logs is printed under the failure.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataPaths } from './paths.mjs';
import { TEST_ENV_VARIABLE } from './test-run.mjs';

const TAIL_LINES = 40;

/** The label a test file's logs carry: its file name without `.test.ts`. @param {string} testPath */
export function testLogLabel(testPath) {
  return basename(testPath).replace(/\.(e2e\.)?test\.[cm]?[jt]s$/, '').replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The run's log folder, or null before the global setup has published the run. */
function runLogDir() {
  try {
    const runId = JSON.parse(process.env[TEST_ENV_VARIABLE] ?? '{}').runId;
    return typeof runId === 'string' ? join(dataPaths().logs, 'test', runId) : null;
  } catch {
    return null;
  }
}

/** @param {string} dir @param {string} label @returns {string[]} */
function logsOf(dir, label) {
  if (!existsSync(dir)) return [];
  const files = [];
  const inProcess = join(dir, 'in-process', `${label}.log`);
  if (existsSync(inProcess)) files.push(inProcess);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${label}-`)) continue;
    const folder = join(dir, name);
    if (!statSync(folder).isDirectory()) continue;
    for (const file of readdirSync(folder).sort()) if (file.endsWith('.log')) files.push(join(folder, file));
  }
  return files;
}

/** @param {string} file */
function tail(file) {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return { shown: lines.slice(-TAIL_LINES).join('\n'), total: lines.length };
}

export default class TestLogReporter {
  /** @param {{ path: string }} test @param {{ numFailingTests: number, testExecError?: unknown }} result */
  onTestResult(test, result) {
    if (result.numFailingTests === 0 && !result.testExecError) return;
    const dir = runLogDir();
    if (!dir) return;
    for (const file of logsOf(dir, testLogLabel(test.path))) {
      const { shown, total } = tail(file);
      if (total === 0 || shown === '') continue;
      process.stderr.write(`\n--- ${file} (last ${Math.min(TAIL_LINES, total)} of ${total} lines) ---\n${shown}\n`);
    }
  }

  onRunComplete() {
    const dir = runLogDir();
    if (dir && existsSync(dir)) process.stderr.write(`service logs of this run: ${dir}\n`);
  }

  getLastError() {
    return undefined;
  }
}
