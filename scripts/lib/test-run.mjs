// The lifecycle of one jest run (called by shared/testing's global setup and teardown).
// Plain JavaScript on purpose: jest loads globalSetup through require() outside its module
// mapper, so the code it runs must be loadable by Node as is (Node >= 20.19 require()s ES
// modules without top-level await, such as these).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { externalBrokers, externalPostgres, infraDown, infraUp } from './infra.mjs';
import { deleteTopicsAndGroups } from './kafka-topics.mjs';
import { execFileSync } from 'node:child_process';
import { formatKafkaData, localBrokers, startLocalKafka, stopLocalKafka } from './kafka-server.mjs';
import { withLock } from './lock.mjs';
import { freePort } from './net.mjs';
import { initialisePostgresData, startLocalPostgres, stopLocalPostgres } from './postgres-server.mjs';
import { dataPaths, dataRoot } from './paths.mjs';
import { isAlive } from './processes.mjs';
import { adminUrl, dropDatabase, ensureDatabase, listDatabases, provisionServices } from './provisioning.mjs';

export const TEST_DATABASE_PREFIX = 'storytelling_test_';
/** The variable the setup passes the run's state in; jest workers inherit it. */
export const TEST_ENV_VARIABLE = 'STORYTELLING_TEST_ENV';

/**
 * A run id: creation time in base 36 (9 chars, sorts by age) + 4 random hex chars; lower-case
 * alphanumerics only, so it fits database and topic names alike.
 */
export function newRunId(now = Date.now()) {
  return `${now.toString(36).padStart(9, '0')}${randomBytes(2).toString('hex')}`;
}

/** When a run id was created, or null when the string is not a run id. @param {string} runId */
export function runIdCreatedAt(runId) {
  if (!/^[0-9a-z]{9}[0-9a-f]{4}$/.test(runId)) return null;
  return Number.parseInt(runId.slice(0, 9), 36);
}

export const testDatabaseName = (/** @type {string} */ runId) => `${TEST_DATABASE_PREFIX}${runId}`;
export const topicPrefixFor = (/** @type {string} */ runId) => `t${runId}.`;
/** A test fleet's own database within a run (see startFleetProcesses). */
export const fleetDatabaseName = (/** @type {string} */ runId, /** @type {string} */ fleetId) => `${testDatabaseName(runId)}_f${fleetId}`;

/** The run id a prefixed topic or consumer group belongs to, or null. @param {string} name */
export function runIdOfTopic(name) {
  return /^t([0-9a-z]{9}[0-9a-f]{4})\./.exec(name)?.[1] ?? null;
}

/**
 * Runs younger than this are never cleaned up: between creating its database and opening its
 * keeper session a starting run has no session, and must not be mistaken for a dead one.
 */
const GRACE_MS = 10 * 60_000;
const isOld = (/** @type {string} */ runId, /** @type {number} */ now) => {
  const created = runIdCreatedAt(runId);
  return created !== null && now - created > GRACE_MS;
};

/**
 * Drops test databases of finished runs. A live run holds a session on its database for its
 * whole duration, and DROP DATABASE without FORCE refuses a database with sessions, so runs of
 * several people on one machine do not break each other. Returns the runs still alive.
 * @param {string} currentRunId
 */
export async function dropStaleDatabases(currentRunId, now = Date.now()) {
  /** @type {string[]} */
  const dropped = [];
  const live = new Set([currentRunId]);
  const names = await listDatabases(TEST_DATABASE_PREFIX);
  // A fleet's own database (`<run's>_f<id>`) goes with its run: the run's own databases first
  // decide which runs are alive.
  const runOf = (/** @type {string} */ name) => name.slice(TEST_DATABASE_PREFIX.length).split('_')[0] ?? '';
  const isFleet = (/** @type {string} */ name) => name.slice(TEST_DATABASE_PREFIX.length).includes('_');
  for (const name of [...names.filter((n) => !isFleet(n)), ...names.filter(isFleet)]) {
    const runId = runOf(name);
    if (live.has(runId) && (runId === currentRunId || isFleet(name))) continue;
    if (isOld(runId, now) && (await dropDatabase(name))) dropped.push(name);
    else live.add(runId);
  }
  return { dropped, live };
}

/** Topics and groups of runs that are over (prefix `t<runId>.`, run not alive, past the grace time). */
export function deleteStaleTopics(/** @type {string[]} */ brokers, /** @type {Set<string>} */ liveRuns, now = Date.now()) {
  return deleteTopicsAndGroups(brokers, (name) => {
    const runId = runIdOfTopic(name);
    return runId !== null && !liveRuns.has(runId) && isOld(runId, now);
  });
}

/** Logs of services started by tests (.data/logs/test/<runId>/) are kept a day for post-mortems. */
function pruneTestLogs(now = Date.now()) {
  const dir = join(dataPaths().logs, 'test');
  if (!existsSync(dir)) return;
  for (const runId of readdirSync(dir)) {
    const created = runIdCreatedAt(runId);
    if (created !== null && now - created > 24 * 60 * 60_000) rmSync(join(dir, runId), { recursive: true, force: true });
  }
}

/**
 * @typedef {{ runId: string, databaseName: string, adminUrl: string, brokers: string[], topicPrefix: string, env?: Record<string, string> }} TestRunState
 * @typedef {{ state: TestRunState, keeper: import('pg').Client, startedPostgres: boolean, startedKafka: boolean, ownInfra: string | null }} RunHandle
 */

/** Where test runs keep their own servers: .data/test-infra/<runId>/ (postgres, kafka, logs). */
const ownInfraRoot = () => join(dataRoot(), 'test-infra');
const OWNER_FILE = 'owner.json';

/** The variables that point the infra scripts (and everything using their URLs) at one run's servers. */
async function ownInfraEnv(/** @type {string} */ dir) {
  const ports = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return { STORYTELLING_INFRA_DIR: dir, PG_PORT: String(ports[0]), KAFKA_PORT: String(ports[1]), KAFKA_CONTROLLER_PORT: String(ports[2]) };
}

/** Runs `work` with the infra variables of a run set, restoring the previous ones after. @template T */
async function withInfraEnv(/** @type {Record<string, string>} */ env, /** @type {() => Promise<T>} */ work) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * Processes a dead run left behind (services its tests started): they carry the run's
 * STORYTELLING_INFRA_DIR in their environment. Linux only (/proc); elsewhere nothing is found.
 * @param {string} dir
 */
function killLeftoverProcesses(dir) {
  if (!existsSync('/proc')) return;
  const marker = `STORYTELLING_INFRA_DIR=${dir}\0`;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}

/** Stops a run's own PostgreSQL and Kafka and deletes their folder. @param {string} dir */
async function removeOwnInfra(dir, env = readOwner(dir)?.env) {
  // Not infraDown: its lock is the shared infrastructure's, and runs need not wait for each other.
  if (env) await withInfraEnv(env, () => Promise.allSettled([stopLocalKafka({ immediate: true }), stopLocalPostgres({ immediate: true })]));
  rmSync(dir, { recursive: true, force: true });
}

/** @param {string} dir @returns {{ pid: number, env: Record<string, string> } | null} */
function readOwner(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/** Servers of runs whose jest process is gone (a crash, a kill): stopped and deleted. */
async function removeOrphanedInfra() {
  const root = ownInfraRoot();
  if (!existsSync(root)) return 0;
  let removed = 0;
  for (const runId of readdirSync(root)) {
    const dir = join(root, runId);
    const owner = readOwner(dir);
    // No owner file yet: a run that is starting; leave it unless it is old.
    if (owner ? isAlive(owner.pid) : !isOld(runId, Date.now())) continue;
    await removeOwnInfra(dir, owner?.env);
    killLeftoverProcesses(dir);
    removed += 1;
  }
  return removed;
}

/**
 * An initialised PostgreSQL data folder and a formatted Kafka one, made once per checkout
 * (.data/test-infra-template/) and copied by every run: initdb and Kafka's StorageTool cost
 * seconds each, a copy a fraction of one.
 */
async function infraTemplate() {
  const dir = join(dataRoot(), 'test-infra-template');
  return withLock('test-infra-template', async () => {
    if (existsSync(join(dir, 'complete'))) return dir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await withInfraEnv({ STORYTELLING_INFRA_DIR: dir }, () => Promise.all([initialisePostgresData(), formatKafkaData()]));
    writeFileSync(join(dir, 'complete'), '');
    return dir;
  });
}

/**
 * This run's own PostgreSQL and Kafka on free ports under .data/test-infra/<runId>/, so tests run
 * beside a developer's `npm start` fleet and other runs. TEST_SHARED_INFRA=1 (or an external
 * server: DATABASE_ADMIN_URL, KAFKA_BROKERS) uses the shared infrastructure instead.
 * @param {string} runId
 */
async function startOwnInfra(runId) {
  const dir = join(ownInfraRoot(), runId);
  const template = await infraTemplate();
  mkdirSync(join(dir, 'kafka'), { recursive: true });
  // cp -a: the PostgreSQL folder belongs to the server's OS user, and must stay so.
  execFileSync('cp', ['-a', '-L', join(template, 'postgres'), join(dir, 'postgres')]);
  execFileSync('cp', ['-a', join(template, 'kafka', 'data'), join(dir, 'kafka', 'data')]);
  const env = await ownInfraEnv(dir);
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify({ pid: process.pid, env }, null, 2)}\n`);
  Object.assign(process.env, env);
  try {
    const [postgres, kafka] = await Promise.all([startLocalPostgres(), startLocalKafka()]);
    return { postgres: { started: postgres.started }, kafka: { started: kafka.started, brokers: localBrokers() }, env };
  } catch (error) {
    await removeOwnInfra(dir, env);
    throw error;
  }
}

const HANDLE = Symbol.for('storytelling.testing.run-handle');

/** @param {TestRunState} state */
function publish(state) {
  process.env[TEST_ENV_VARIABLE] = JSON.stringify(state);
  const file = dataPaths().testEnv;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The run's state: from the environment (this run's own), else .data/test-env.json (the latest
 * run on this checkout, for tools started outside jest). @returns {TestRunState}
 */
export function readTestRunState() {
  let raw = process.env[TEST_ENV_VARIABLE];
  if (!raw) {
    try {
      raw = readFileSync(dataPaths().testEnv, 'utf8');
    } catch {
      throw new Error(
        `no test environment: ${TEST_ENV_VARIABLE} is unset and ${dataPaths().testEnv} is missing. ` +
          "Run tests through jest (its global setup starts PostgreSQL and Kafka): `pnpm jest <path>` or `npm test`.",
      );
    }
  }
  const state = JSON.parse(raw);
  const valid = state && typeof state.runId === 'string' && typeof state.databaseName === 'string' && typeof state.adminUrl === 'string'
    && typeof state.topicPrefix === 'string' && Array.isArray(state.brokers);
  if (!valid) throw new Error(`malformed test environment: ${raw.slice(0, 200)}`);
  // The run's own servers: URLs built from PG_PORT etc. (roles, services' environment) point at them.
  if (state.env) Object.assign(process.env, state.env);
  return state;
}

/** jest globalSetup. */
export async function setupTestRun() {
  const began = Date.now();
  process.stdout.write('\n');
  const runId = newRunId();
  const shared = flag('TEST_SHARED_INFRA') || externalPostgres() || externalBrokers() !== null;
  const orphans = await removeOrphanedInfra();
  const infra = shared ? { ...(await infraUp()), env: undefined } : await startOwnInfra(runId);
  const ownInfra = shared ? null : join(ownInfraRoot(), runId);
  const databaseName = testDatabaseName(runId);
  try {
    const { dropped, live } = await dropStaleDatabases(runId);
    pruneTestLogs();
    await ensureDatabase(databaseName);
    const { default: pg } = await import('pg');
    // This session marks the run as alive until teardown (see dropStaleDatabases).
    const keeper = new pg.Client({ connectionString: adminUrl(databaseName), application_name: `storytelling-test-run-${runId}` });
    keeper.on('error', () => {});
    try {
      await keeper.connect();
      await provisionServices(databaseName);
      const stale = shared ? await deleteStaleTopics(infra.kafka.brokers, live) : { topics: 0 };
      /** @type {TestRunState} */
      const state = {
        runId,
        databaseName,
        adminUrl: adminUrl(databaseName),
        brokers: infra.kafka.brokers,
        topicPrefix: topicPrefixFor(runId),
        ...(infra.env ? { env: infra.env } : {}),
      };
      publish(state);
      /** @type {RunHandle} */
      const handle = { state, keeper, startedPostgres: infra.postgres.started, startedKafka: infra.kafka.started, ownInfra };
      Object.assign(globalThis, { [HANDLE]: handle });
      const removed = dropped.length + stale.topics + orphans;
      const cleaned = removed > 0 ? `; removed ${dropped.length} stale database(s), ${stale.topics} stale topic(s), ${orphans} orphaned server folder(s)` : '';
      const where = ownInfra ? `own PostgreSQL :${infra.env?.PG_PORT} and Kafka :${infra.env?.KAFKA_PORT}` : 'shared infrastructure';
      process.stdout.write(`test run   ${runId}: ${where}, database ${databaseName}, topic prefix ${state.topicPrefix} (${((Date.now() - began) / 1000).toFixed(1)}s${cleaned})\n`);
      return state;
    } catch (error) {
      await keeper.end().catch(() => {});
      throw error;
    }
  } catch (error) {
    if (ownInfra) await removeOwnInfra(ownInfra, infra.env);
    else await dropDatabase(databaseName, { force: true }).catch(() => {});
    throw error;
  }
}

const flag = (/** @type {string} */ name) => ['1', 'true'].includes((process.env[name] ?? '').toLowerCase());

/**
 * jest globalTeardown: drops the run's database and topics (TEST_KEEP_DATABASE=1 keeps them),
 * and stops the infrastructure only if this run started it and CI or TEST_STOP_INFRA is set.
 */
export async function teardownTestRun() {
  /** @type {RunHandle | undefined} */
  const handle = Reflect.get(globalThis, HANDLE);
  if (!handle) return;
  Reflect.deleteProperty(globalThis, HANDLE);
  const { state } = handle;
  await handle.keeper.end().catch(() => {});
  if (handle.ownInfra) {
    // The run's own servers go with it (TEST_KEEP_DATABASE=1 leaves them running for a look).
    if (flag('TEST_KEEP_DATABASE')) process.stdout.write(`test run   kept its servers in ${handle.ownInfra} (TEST_KEEP_DATABASE; stopped by the next run)\n`);
    else await removeOwnInfra(handle.ownInfra, state.env);
    return;
  }
  if (flag('TEST_KEEP_DATABASE')) {
    process.stdout.write(`test run   kept database ${state.databaseName} and topics ${state.topicPrefix}* (TEST_KEEP_DATABASE)\n`);
  } else {
    await dropDatabase(state.databaseName, { force: true });
    await deleteTopicsAndGroups(state.brokers, (name) => name.startsWith(state.topicPrefix)).catch((error) => {
      process.stderr.write(`test run   could not delete topics ${state.topicPrefix}*: ${String(error)}\n`);
    });
  }
  /** @type {('postgres' | 'kafka')[]} */
  const only = [];
  if (handle.startedPostgres) only.push('postgres');
  if (handle.startedKafka) only.push('kafka');
  if (only.length > 0 && (flag('CI') || flag('TEST_STOP_INFRA'))) await infraDown({ only });
}
