// Small network helpers (node built-ins only).
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether something accepts TCP connections on host:port. @param {string} host @param {number} port */
export function canConnect(host, port, timeoutMs = 1000) {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, drawn below Linux's ephemeral range (32768+)
 * so that no outgoing connection takes it before its server binds (the same rule as the platform's
 * freePort, shared/platform/src/app/free-port.ts; scripts run before anything is built).
 */
const givenPorts = new Set();
export async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (givenPorts.has(port)) continue;
    givenPorts.add(port); // before the probe: concurrent calls must not draw it too
    const free = await new Promise((resolvePromise) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolvePromise(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
    });
    if (free) return port;
    givenPorts.delete(port);
  }
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * Polls `check` until it returns a value other than undefined/false, or throws on timeout with
 * the last error seen (the reason is usually in it).
 * @template T
 * @param {() => Promise<T | undefined | false> | T | undefined | false} check
 * @param {{ timeoutMs: number, intervalMs?: number, what: string, abort?: () => string | null }} options
 * @returns {Promise<T>}
 */
export async function pollUntil(check, options) {
  const deadline = Date.now() + options.timeoutMs;
  /** @type {unknown} */
  let lastError;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw new Error(`${options.what}: ${aborted}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return /** @type {T} */ (value);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${options.what}${reason}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}
