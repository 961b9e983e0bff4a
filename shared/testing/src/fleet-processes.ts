import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFleet, type FleetService } from '../../../scripts/lib/fleet-manifest.mjs';
import { withLock } from '../../../scripts/lib/lock.mjs';
import { dataPaths, repoRoot } from '../../../scripts/lib/paths.mjs';
import { grpcUrlVariable } from '../../../scripts/lib/service-env.mjs';
import { testLogLabel } from '../../../scripts/lib/test-log-reporter.mjs';
import { freePort } from '@storytelling/platform';
import { adminUrl, databaseUrlFor, dropDatabase, ensureDatabase, provisionServices } from '../../../scripts/lib/provisioning.mjs';
import { fleetDatabaseName } from '../../../scripts/lib/test-run.mjs';
import { serviceEnv, type ServiceNamespace } from './service-env.js';
import { testEnvironment } from './test-environment.js';
import { exitOf, stopChildren } from './child-processes.js';

export interface FleetProcessesOptions {
  /** Which fleet.json services to run (default: all). */
  services?: string[];
  /** Extra environment for every service (applied last). */
  env?: Record<string, string>;
  /** Per-service extra environment. */
  serviceOverrides?: Record<string, Record<string, string>>;
  /** How long each service may take to answer GET /ready with 200 (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * Also wait until the service's Kafka consumers joined their group (`checks.consumers` of
   * GET /ready). Default true: a test that publishes right after start expects the consumers
   * there. /ready itself answers 200 as soon as the service serves, before that.
   */
  waitForConsumers?: boolean;
  /** Where a service's compiled entry points are (default services/<name>/dist/src/<kind>.js). */
  entry?: (service: string, kind: 'main' | 'migrate') => string;
  /**
   * Default true: the fleet gets its own database and topic prefix (under the run's), dropped by
   * stop(). Fleets of parallel test files, and in-process services of other test files, would
   * otherwise share outbox tables, topics and consumer groups: another file's relay would publish
   * this fleet's events and another file's consumer take its messages. false: the run's own
   * database and prefix (a bench whose run is already a scratch of its own).
   */
  isolated?: boolean;
}

export interface RunningService {
  name: string;
  pid: number;
  httpUrl: string;
  /** host:port of its gRPC server, when it has one. */
  grpcAddress: string | null;
  logFile: string;
  /** Milliseconds from spawning the process to GET /ready answering 200. */
  readyMs: number;
  /** Milliseconds from spawning the process to its consumers joining (when waited for). */
  consumersReadyMs: number | null;
}

export interface FleetProcesses {
  services: Record<string, RunningService>;
  /** The database the services use (the fleet's own unless `isolated: false`). */
  databaseName: string;
  /** Superuser URL of that database (tests that look into every schema). */
  adminUrl: string;
  /** A service's own connection URL (its role, confined to its schema) on that database. */
  databaseUrlFor(service: string): string;
  /** The topic prefix the services use. */
  topicPrefix: string;
  /** `http://127.0.0.1:<port>` of the gateway, when it runs. */
  gatewayUrl: string | null;
  /** SIGTERM to every service, SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** The running test file's log label (see scripts/lib/test-log-reporter.mjs), or `fleet` outside jest. */
function currentTestLabel(): string {
  const state = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.();
  return state?.testPath ? testLogLabel(state.testPath) : 'fleet';
}

const defaultEntry = (service: string, kind: 'main' | 'migrate'): string => join(repoRoot, 'services', service, 'dist', 'src', `${kind}.js`);

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function run(entry: string, env: Record<string, string>, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    // LOG_FILE is the test process's own log (see jest-log-file.ts); a service logs to its stdout, this file.
    const { LOG_FILE: _ownLog, ...inherited } = process.env;
    return spawn(process.execPath, ['--enable-source-maps', entry], { env: { ...inherited, ...env }, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

type Readiness = { readyMs: number; consumersReadyMs: number | null } | { problem: string };

/** Whether a /ready body reports consumers that have not joined yet (no such check: nothing to wait for). */
async function consumersPending(response: Response): Promise<boolean> {
  const body: unknown = await response.json().catch(() => undefined);
  const consumers = (body as { checks?: { consumers?: { ok?: unknown } } } | undefined)?.checks?.consumers;
  return consumers !== undefined && consumers.ok !== true;
}

async function waitReady(url: string, child: ChildProcess, spawnedAt: number, timeoutMs: number, waitForConsumers: boolean): Promise<Readiness> {
  const deadline = spawnedAt + timeoutMs;
  let last = 'no answer';
  let readyMs: number | null = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return { problem: `exited (${child.exitCode ?? child.signalCode})` };
    try {
      const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        readyMs ??= Date.now() - spawnedAt;
        if (!waitForConsumers) return { readyMs, consumersReadyMs: null };
        if (!(await consumersPending(response))) return { readyMs, consumersReadyMs: Date.now() - spawnedAt };
        last = 'ready, consumers not joined yet';
      } else {
        last = `GET /ready answered ${response.status}`;
        await response.body?.cancel();
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  return { problem: `not ready after ${timeoutMs} ms (${last})` };
}

/**
 * Runs fleet services as real processes for end-to-end tests, isolated from `npm start`, other
 * runs and other fleets of this run: free ports, its own database (migrated first) and topic
 * prefix (see `isolated`), the same environment builder as `npm start`. Needs the services compiled (`npm test` builds first;
 * with `pnpm jest` alone, run `pnpm exec tsc -b` after changing service code).
 */
export async function startFleetProcesses(options: FleetProcessesOptions = {}): Promise<FleetProcesses> {
  const env = testEnvironment();
  const entry = options.entry ?? defaultEntry;
  const fleet = readFleet();
  const wanted = options.services ?? fleet.services.map((s) => s.name);
  const selected: FleetService[] = wanted.map((name) => {
    const service = fleet.services.find((s) => s.name === name);
    if (!service) throw new Error(`startFleetProcesses: no service "${name}" in fleet.json`);
    for (const kind of ['main', ...(service.schema ? ['migrate' as const] : [])] as const) {
      if (!existsSync(entry(name, kind))) throw new Error(`startFleetProcesses: ${entry(name, kind)} is missing; build first (pnpm exec tsc -b)`);
    }
    return service;
  });
  // After the checks above: a fleet refused before it starts leaves no database behind.
  const namespace = options.isolated === false ? { databaseName: env.databaseName, topicPrefix: env.topicPrefix } : await ownNamespace(env);

  const ports = new Map<string, { http: number; grpc: number | null }>();
  for (const s of selected) ports.set(s.name, { http: await freePort(), grpc: s.grpcPort === null ? null : await freePort() });
  const peers: Record<string, string> = {};
  for (const [name, p] of ports) if (p.grpc !== null) peers[grpcUrlVariable(name)] = `127.0.0.1:${p.grpc}`;

  // One folder per fleet, named after the test file (the test log reporter prints it when that
  // file fails): fleets of parallel test files must not write into each other's logs.
  const logDir = join(dataPaths().logs, 'test', env.runId, `${currentTestLabel()}-${randomBytes(3).toString('hex')}`);
  mkdirSync(logDir, { recursive: true });
  const envOf = (s: FleetService): Record<string, string> => {
    const p = ports.get(s.name)!;
    const own: Record<string, string> = { HTTP_PORT: String(p.http), ...peers };
    if (p.grpc !== null) own.GRPC_PORT = String(p.grpc);
    if (s.name === 'gateway') own.PUBLIC_BASE_URL = `http://127.0.0.1:${p.http}`;
    return serviceEnv(s.name, { ...own, ...(options.env ?? {}), ...(options.serviceOverrides?.[s.name] ?? {}) }, namespace);
  };
  const dropOwnDatabase = async (): Promise<void> => {
    if (namespace.databaseName !== env.databaseName) await dropDatabase(namespace.databaseName, { force: true });
  };

  const migrate = async (s: FleetService): Promise<void> => {
    const logFile = join(logDir, `${s.name}.migrate.log`);
    const code = await exitOf(run(entry(s.name, 'migrate'), envOf(s), logFile));
    if (code !== 0) throw new Error(`migrations of ${s.name} failed (exit ${code}):\n${logTail(logFile)}`);
  };
  try {
    if (options.isolated === false) {
      // The run's database is shared: concurrent test files would race on its migrations tables.
      await withLock(`migrate-${env.runId}`, async () => {
        for (const s of selected.filter((x) => x.schema)) await migrate(s);
      });
    } else {
      // Each schema has its own migrations table: the fleet's own database migrates at once.
      await Promise.all(selected.filter((x) => x.schema).map(migrate));
    }
  } catch (error) {
    await dropOwnDatabase().catch(() => undefined);
    throw error;
  }

  const children: ChildProcess[] = [];
  const services: Record<string, RunningService> = {};
  const spawnedAt = new Map<string, number>();
  for (const s of selected) {
    const p = ports.get(s.name)!;
    const logFile = join(logDir, `${s.name}.log`);
    spawnedAt.set(s.name, Date.now());
    const child = run(entry(s.name, 'main'), envOf(s), logFile);
    children.push(child);
    services[s.name] = {
      name: s.name,
      pid: child.pid ?? -1,
      httpUrl: `http://127.0.0.1:${p.http}`,
      grpcAddress: p.grpc === null ? null : `127.0.0.1:${p.grpc}`,
      logFile,
      readyMs: -1,
      consumersReadyMs: null,
    };
  }
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const problems = await Promise.all(selected.map(async (s, i) => {
    const service = services[s.name]!;
    const outcome = await waitReady(service.httpUrl, children[i]!, spawnedAt.get(s.name)!, timeoutMs, options.waitForConsumers ?? true);
    if (!('problem' in outcome)) {
      service.readyMs = outcome.readyMs;
      service.consumersReadyMs = outcome.consumersReadyMs;
      return null;
    }
    return `${s.name}: ${outcome.problem}\n--- ${service.logFile} ---\n${logTail(service.logFile)}`;
  }));
  const failures = problems.filter((p): p is string => p !== null);
  if (failures.length > 0) {
    await stopChildren(children, 10_000);
    await dropOwnDatabase().catch(() => undefined);
    throw new Error(`startFleetProcesses: not ready:\n${failures.join('\n\n')}`);
  }
  return {
    services,
    gatewayUrl: services.gateway?.httpUrl ?? null,
    databaseName: namespace.databaseName,
    adminUrl: adminUrl(namespace.databaseName),
    databaseUrlFor: (service) => databaseUrlFor(service, namespace.databaseName),
    topicPrefix: namespace.topicPrefix,
    stop: async () => {
      await stopChildren(children, 10_000);
      await dropOwnDatabase();
    },
  };
}

/**
 * A fleet's own database (`<run's>_f<hex>`, provisioned like the run's) and topic prefix
 * (`<run's>f<hex>.`): the run's teardown deletes the topics with its own, and its clean-up of
 * dead runs knows these databases by their run id.
 */
async function ownNamespace(env: ReturnType<typeof testEnvironment>): Promise<ServiceNamespace> {
  const id = randomBytes(3).toString('hex');
  const databaseName = fleetDatabaseName(env.runId, id);
  await ensureDatabase(databaseName);
  await provisionServices(databaseName);
  return { databaseName, topicPrefix: `${env.topicPrefix}f${id}.` };
}
