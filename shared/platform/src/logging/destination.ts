import { pino, type DestinationStream } from 'pino';

/**
 * Where the process's log lines go: stdout, or the file LOG_FILE names (appended, created with its
 * folder). Tests set LOG_FILE so services running inside the test process keep their lines in
 * the run's log folder instead of flooding the test output.
 *
 * stdout is written asynchronously: pino's default (a synchronous write per line) costs a system
 * call on the request's own time for every access-log line. Asynchronous, lines written while a
 * write is under way are buffered and go out together with the next one, so under load one write
 * carries many lines and an idle service still writes each line at once (no minLength: nothing
 * waits for a buffer to fill). pino flushes synchronously on process exit (on-exit-leak-free), so
 * a crash's last lines are kept; only a SIGKILL can lose the lines of the write in flight.
 */
export function logDestination(env: NodeJS.ProcessEnv = process.env): DestinationStream {
  const file = env.LOG_FILE?.trim();
  // Synchronous: a test's failure report reads the file right after the test.
  if (file) return pino.destination({ dest: file, append: true, mkdir: true, sync: true });
  return pino.destination({ dest: 1, sync: false });
}
