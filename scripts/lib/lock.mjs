// A cross-process lock file under .data/run, so two `infra up` (or a test run and `npm start`)
// started at the same moment do not both start a Postgres or generate different secrets.
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths } from './paths.mjs';
import { isAlive } from './processes.mjs';

const sleepSync = (/** @type {number} */ ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** @param {string} file Tries once; removes the lock of a dead holder. */
function tryAcquire(file) {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    let holder = NaN;
    try {
      holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    } catch {
      return false; // being written or just released: try again
    }
    if (Number.isInteger(holder) && holder !== process.pid && !isAlive(holder)) rmSync(file, { force: true });
    return false;
  }
}

function lockFile(/** @type {string} */ name) {
  const dir = dataPaths().run;
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.lock`);
}

/**
 * Runs fn while holding the named lock (waits up to timeoutMs for another holder).
 * @template T @param {string} name @param {() => Promise<T>} fn @returns {Promise<T>}
 */
export async function withLock(name, fn, timeoutMs = 10 * 60_000) {
  const file = lockFile(name);
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(file)) {
    if (Date.now() > deadline) throw new Error(`lock ${file} is held by another process; remove it if that process is gone`);
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** Synchronous variant for short critical sections. @template T @param {string} name @param {() => T} fn @returns {T} */
export function withLockSync(name, fn, timeoutMs = 30_000) {
  const file = lockFile(name);
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(file)) {
    if (Date.now() > deadline) throw new Error(`lock ${file} is held by another process; remove it if that process is gone`);
    sleepSync(50);
  }
  try {
    return fn();
  } finally {
    rmSync(file, { force: true });
  }
}
