import { pino, type DestinationStream } from 'pino';

/**
 * Where the process's log lines go: stdout, or the file LOG_FILE names (appended, created with its
 * folder). Tests set LOG_FILE so services running inside the test process keep their lines in
 * the run's log folder instead of flooding the test output.
 */
export function logDestination(env: NodeJS.ProcessEnv = process.env): DestinationStream | undefined {
  const file = env.LOG_FILE?.trim();
  // Synchronous: a test's failure report reads the file right after the test.
  return file ? pino.destination({ dest: file, append: true, mkdir: true, sync: true }) : undefined;
}
