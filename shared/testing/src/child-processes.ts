import type { ChildProcess } from 'node:child_process';

/** The exit code a child ends with (128 for a signal with no code), resolved at once if it has ended. */
export function exitOf(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(128);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

/** SIGTERM to every child still running, SIGKILL to those still there after `graceMs`; resolves when all have exited. */
export async function stopChildren(children: ChildProcess[], graceMs: number): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = exitOf(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}
