// Running the fleet as local processes: migrations first (each service as its own role), then
// every service of fleet.json with the same environment the test harness builds, each detached
// with a pid file (.data/run/fleet/) and a log (.data/logs/<service>.log).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserFacingError, say, warn } from './log.mjs';
import { capture } from './exec.mjs';
import { readFleet } from './fleet-manifest.mjs';
import { dataPaths, repoRoot } from './paths.mjs';
import { livePid, spawnDetached, stopProcess, writePid } from './processes.mjs';
import { buildServiceEnv } from './service-env.mjs';


/** @param {string} service @param {'main' | 'migrate'} entry */
export function serviceEntry(service, entry) {
  return join(repoRoot, 'services', service, 'dist', 'src', `${entry}.js`);
}

const pidDir = () => join(dataPaths().run, 'fleet');
const pidFile = (/** @type {string} */ service) => join(pidDir(), `${service}.pid`);
const logFile = (/** @type {string} */ service) => join(dataPaths().logs, `${service}.log`);
const marker = (/** @type {string} */ service) => join('services', service, 'dist', 'src', 'main.js');

/** The parent's environment minus what a service must not inherit (the superuser URL). */
function baseEnv() {
  const env = { ...process.env };
  delete env.DATABASE_ADMIN_URL;
  return env;
}

/** @param {string} file */
function tail(file, lines = 25) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** @typedef {{ databaseName: string, brokers: string[], topicPrefix?: string }} FleetTarget */

/**
 * Runs `dist/src/migrate.js` of every service with a schema, as that service's role, all at once
 * by default: they touch disjoint schemas (each run also holds its schema's advisory lock), and
 * each process spends most of its time loading the platform, so one after the other they were
 * the longest step of `npm start` after the services (docs/benchmarks.md, "Cold start").
 * Every failing service is reported with its own output tail.
 * @param {FleetTarget} target
 * @param {{ concurrency?: number, envFor?: (service: string) => NodeJS.ProcessEnv, logFileFor?: (service: string) => string }} [options]
 *   envFor/logFileFor replace the launcher's environment and `.data/logs/<service>.log` (the startup bench)
 */
export async function runMigrations(target, options = {}) {
  const services = readFleet().services.filter((s) => {
    if (!s.schema) return false;
    const entry = serviceEntry(s.name, 'migrate');
    if (existsSync(entry)) return true;
    warn('migrate', `${s.name}: ${entry.slice(repoRoot.length + 1)} not built, skipped`);
    return false;
  });
  const envFor = options.envFor ?? ((/** @type {string} */ name) => ({ ...baseEnv(), ...buildServiceEnv(name, target) }));
  const logFor = options.logFileFor ?? logFile;
  const results = await inPool(services, options.concurrency ?? services.length, async (service) => {
    const result = await capture(process.execPath, [serviceEntry(service.name, 'migrate')], { cwd: join(repoRoot, 'services', service.name), env: envFor(service.name) });
    const file = logFor(service.name);
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${result.stdout}${result.stderr}`);
    if (result.code === 0) say('migrate', `${service.name}: done`);
    return { name: service.name, file, ...result };
  });
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) {
    const details = failed.map((f) => `${f.name} (exit ${f.code}, log ${f.file}):\n${`${f.stdout}\n${f.stderr}`.trim().split('\n').slice(-20).join('\n')}`).join('\n\n');
    throw new UserFacingError(`migrations of ${failed.map((f) => f.name).join(', ')} failed:\n${details}`);
  }
}

/**
 * fn over items, at most `limit` at a time; results in the items' order.
 * @template T, R @param {T[]} items @param {number} limit @param {(item: T) => Promise<R>} fn @returns {Promise<R[]>}
 */
async function inPool(items, limit, fn) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(/** @type {T} */ (items[i]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** @param {number} port @param {() => boolean} exited */
async function waitReady(port, exited, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited()) return { ready: false, reason: 'the process exited' };
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return { ready: true, reason: '' };
      last = `GET /ready answered ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(300);
  }
  return { ready: false, reason: `not ready after ${timeoutMs / 1000}s (${last})` };
}

/** Services of fleet.json whose pid file points at a live process. */
export function runningServices() {
  return readFleet().services.flatMap((s) => {
    const pid = livePid(pidFile(s.name), marker(s.name));
    return pid === null ? [] : [{ name: s.name, pid }];
  });
}

/**
 * Starts every built service, waits for each `GET /ready` = 200. On a failure it stops what it
 * started and throws with the failing service's log tail.
 * @param {FleetTarget & { onExit?: (service: string, code: number) => void }} target
 * @returns {Promise<{ name: string, pid: number, httpPort: number }[]>}
 */
export async function startFleet(target) {
  const already = runningServices();
  if (already.length > 0) {
    throw new UserFacingError(`the fleet is already running (${already.map((s) => `${s.name} pid ${s.pid}`).join(', ')})`, 'stop it with `npm run fleet:down`');
  }
  mkdirSync(pidDir(), { recursive: true });
  /** @type {{ name: string, pid: number, httpPort: number, exited: () => boolean }[]} */
  const started = [];
  for (const service of readFleet().services) {
    const entry = serviceEntry(service.name, 'main');
    if (!existsSync(entry)) {
      warn('fleet', `${service.name}: ${entry.slice(repoRoot.length + 1)} not built, skipped`);
      continue;
    }
    const env = { ...baseEnv(), ...buildServiceEnv(service.name, target) };
    // No --enable-source-maps, as in the images: it held ~10 MB per service and ~1 CPU s of the
    // fleet's start (docs/adr/0037); NODE_OPTIONS=--enable-source-maps npm start maps stack traces.
    const child = await spawnDetached(process.execPath, [entry], {
      logFile: logFile(service.name),
      cwd: join(repoRoot, 'services', service.name),
      env,
      onExit: (code) => target.onExit?.(service.name, code),
    });
    writePid(pidFile(service.name), child.pid);
    started.push({ name: service.name, pid: child.pid, httpPort: service.httpPort, exited: child.exited });
    say('fleet', `${service.name}: started (pid ${child.pid}, http ${service.httpPort}${service.grpcPort ? `, grpc ${service.grpcPort}` : ''})`);
  }
  // All at once: readiness may depend on peers, so waiting one by one could deadlock.
  const results = await Promise.all(started.map(async (s) => ({ ...s, ...(await waitReady(s.httpPort, s.exited)) })));
  const failed = results.filter((r) => !r.ready);
  if (failed.length > 0) {
    await stopFleet();
    const details = failed.map((f) => `${f.name}: ${f.reason}\n--- ${logFile(f.name)} (tail) ---\n${tail(logFile(f.name))}`).join('\n\n');
    throw new UserFacingError(`${failed.map((f) => f.name).join(', ')} did not become ready:\n${details}`);
  }
  for (const r of results) say('fleet', `${r.name}: ready`);
  return results.map(({ name, pid, httpPort }) => ({ name, pid, httpPort }));
}

/** Stops the services recorded in pid files: the gateway (the entry point) first, then the rest. */
export async function stopFleet() {
  const running = runningServices();
  const gateway = running.filter((s) => s.name === 'gateway');
  const others = running.filter((s) => s.name !== 'gateway');
  for (const group of [gateway, others]) {
    await Promise.all(group.map(async (s) => {
      const outcome = await stopProcess(s.pid, { timeoutMs: 20_000 });
      rmSync(pidFile(s.name), { force: true });
      say('fleet', `${s.name}: ${outcome}`);
    }));
  }
  // Pid files of processes that are gone.
  if (existsSync(pidDir())) for (const f of readdirSync(pidDir())) livePid(join(pidDir(), f), marker(f.replace(/\.pid$/, '')));
  return running.length;
}
