// Detached background processes tracked by pid files (node built-ins only).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** The command line of a process ('' when unknown), to tell our process from a recycled pid. @param {number} pid */
export function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** @param {string} file @returns {number | null} */
export function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0].trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** @param {string} file @param {number} pid */
export function writePid(file, pid) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${pid}\n`);
}

/**
 * The pid recorded in a pid file if that process still runs and its command line contains
 * `marker`; otherwise null (a stale file is removed unless keepStale).
 * @param {string} file @param {string} marker @param {{ keepStale?: boolean }} [options]
 */
export function livePid(file, marker, options = {}) {
  const pid = readPid(file);
  if (pid === null) return null;
  const cmd = commandLineOf(pid);
  // Without /proc (macOS) fall back to "alive" alone.
  if (isAlive(pid) && (cmd === '' ? existsSync('/proc') === false : cmd.includes(marker))) return pid;
  if (!options.keepStale) rmSync(file, { force: true });
  return null;
}

/**
 * Starts a process in its own session, detached from ours, with output appended to logFile.
 * @param {string} command @param {string[]} args
 * @param {{ logFile: string, cwd?: string, env?: NodeJS.ProcessEnv, uid?: number, gid?: number, onExit?: (code: number) => void }} options
 * @returns {Promise<{ pid: number, exited: () => boolean, exitCode: () => number | null }>}
 */
export async function spawnDetached(command, args, options) {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    let exited = false;
    /** @type {number | null} */
    let code = null;
    child.on('exit', (exitCode, signal) => {
      exited = true;
      // Shell convention: 128 + signal number for a process killed by a signal.
      code = exitCode ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      options.onExit?.(code);
    });
    await new Promise((resolvePromise, reject) => {
      child.once('spawn', resolvePromise);
      child.once('error', reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return { pid: child.pid, exited: () => exited, exitCode: () => code };
  } finally {
    closeSync(fd);
  }
}

/**
 * Stops a process: the signal (SIGTERM), then waits; SIGKILL after timeoutMs.
 * @param {number} pid @param {{ timeoutMs?: number, signal?: NodeJS.Signals }} [options]
 * @returns {Promise<'stopped' | 'killed' | 'not-running'>}
 */
export async function stopProcess(pid, options = {}) {
  const { timeoutMs = 30_000, signal = 'SIGTERM' } = options;
  if (!isAlive(pid)) return 'not-running';
  try {
    process.kill(pid, signal);
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  while (isAlive(pid)) await sleep(100);
  return 'killed';
}
