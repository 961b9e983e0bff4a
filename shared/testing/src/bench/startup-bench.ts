// npm run bench:startup — cold start and footprint of the whole fleet, the way `npm start` runs it
// (scripts/start.mjs → bootstrap + scripts/lib/fleet-foreground.mjs), timed step by step:
//   bootstrap   `node scripts/bootstrap.mjs --build` (dependencies, contracts, tsc -b, tool checks;
//               everything installed and built, so this is the no-op cost)
//   infra       infraUp(): PostgreSQL and Kafka started or found running
//   database    the fleet's database and every service's role + schema (a scratch database here)
//   migrations  each service's dist/src/migrate.js, all at once, by npm start's runMigrations
//   oidc        the local OpenID provider npm start serves next to the fleet
//   services    every service spawned (as fleet-launcher.mjs does) until each GET /ready is 200
//               and its consumers have joined (`checks.consumers`); "all ready" stops at the last
//               /ready = 200, as npm start does
// Differences from npm start, so that it runs beside a developer's fleet: free ports for every
// service and the OIDC provider, a scratch database (dropped first, so run 1 migrates a fresh
// database, later runs restart on an existing one, as a developer's second `npm start` does),
// the run's own topic prefix, logs under .data/logs/bench/startup/. /ready is polled every 100 ms
// (npm start: 300 ms).
// After every service is ready the fleet idles (settleMs); then each process's VmRSS
// (/proc/<pid>/status), the heap used it reports at /metrics, and the CPU time it has used so far.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFleet, type FleetService } from '../../../../scripts/lib/fleet-manifest.mjs';
import { runMigrations } from '../../../../scripts/lib/fleet-launcher.mjs';
import { infraUp } from '../../../../scripts/lib/infra.mjs';
import { startLocalOidcProvider } from '../../../../scripts/lib/local-oidc-provider.mjs';
import { dataPaths, repoRoot } from '../../../../scripts/lib/paths.mjs';
import { dropDatabase, ensureDatabase, provisionServices } from '../../../../scripts/lib/provisioning.mjs';
import { buildServiceEnv, grpcUrlVariable, LOCAL_OIDC, localOidcClientSecret } from '../../../../scripts/lib/service-env.mjs';
import { newRunId, topicPrefixFor } from '../../../../scripts/lib/test-run.mjs';
import { freePort } from '@storytelling/platform';
import { exitOf, stopChildren } from '../child-processes.js';

const HOST = '127.0.0.1';
const PHASES = ['bootstrap', 'infra', 'database', 'migrations', 'oidc', 'services'] as const;
export type Phase = (typeof PHASES)[number];

export interface StartupBenchOptions {
  brokers: string[];
  databaseName: string;
  runs: number;
  /** Idle time after the last service is ready, before memory is read (ms). */
  settleMs: number;
  /** Run the bootstrap step (`node scripts/bootstrap.mjs --build`) in every run. */
  bootstrap: boolean;
  /** Services' LOG_LEVEL (npm start: info). */
  logLevel: string;
  /** Extra environment per service; key `*` for every service. */
  serviceEnv?: Record<string, Record<string, string>>;
  /** Extra node arguments per service (e.g. --cpu-prof); key `*` for every service. */
  nodeArgs?: Record<string, string[]>;
  log?: (line: string) => void;
}

export interface ServiceSample {
  /** ms from spawning the process to GET /ready = 200. */
  readyMs: number;
  /** ms from spawning to `checks.consumers.ok` (null: the service has no consumers). */
  consumersMs: number | null;
  /** Resident set after the idle settle (MB). */
  rssMb: number;
  /** Peak resident set during the run (VmHWM, MB). */
  peakRssMb: number;
  /** V8 heap used as the service reports it at /metrics (MB), null when not exposed. */
  heapUsedMb: number | null;
  /** CPU seconds (user + system) the process had used once ready and its consumers had joined. */
  cpuAtReadySeconds: number;
  /** CPU seconds (user + system) the process used from spawn to the sample. */
  cpuSeconds: number;
}

export interface StartupRun {
  run: number;
  /** Whether the database was fresh (migrations applied) or already migrated. */
  database: 'fresh' | 'existing';
  startedAt: string;
  load1: number;
  phasesMs: Record<Phase, number>;
  /** CPU seconds per step: this process and the children it started and reaped (bootstrap, migrations); services: the services' own CPU until ready. */
  phasesCpuS: Record<Phase, number>;
  /** ms from the start of the run (npm start) to every service ready. */
  totalMs: number;
  /** ms from the first service spawned to every service ready. */
  servicesMs: number;
  services: Record<string, ServiceSample>;
}

interface Child {
  service: FleetService;
  process: ChildProcess;
  spawnedAt: number;
  httpPort: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Math.round((ticks / 100) * 100) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's children that have exited and been reaped (cutime + cstime). */
function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU seconds this process itself used (user + system). */
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function heapUsed(port: number): Promise<number | null> {
  try {
    const response = await fetch(`http://${HOST}:${port}/metrics`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)$/m.exec(text);
    return m ? mb(Number(m[1])) : null;
  } catch {
    return null;
  }
}

function spawnLogged(args: string[], env: NodeJS.ProcessEnv, cwd: string, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    return spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls GET /ready until 200, then until its consumers have joined; times both from the spawn. */
async function waitReady(child: Child, timeoutMs: number): Promise<{ readyMs: number; consumersMs: number | null }> {
  const deadline = child.spawnedAt + timeoutMs;
  let readyMs: number | null = null;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) throw new Error(`${child.service.name} exited (${child.process.exitCode ?? child.process.signalCode})`);
    try {
      const response = await fetch(`http://${HOST}:${child.httpPort}/ready`, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json().catch(() => undefined)) as { checks?: { consumers?: { ok?: unknown } } } | undefined;
      if (response.status === 200) {
        readyMs ??= performance.now() - child.spawnedAt;
        const consumers = body?.checks?.consumers;
        if (consumers === undefined) return { readyMs, consumersMs: null };
        if (consumers.ok === true) return { readyMs, consumersMs: performance.now() - child.spawnedAt };
        last = 'ready, consumers not joined';
      } else {
        last = `GET /ready answered ${response.status}`;
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${child.service.name} not ready after ${timeoutMs} ms (${last})`);
}

/** Times a step: wall ms, and CPU seconds of this process plus of the children it reaped meanwhile. */
async function timed<T>(phases: Partial<Record<Phase, number>>, cpu: Partial<Record<Phase, number>>, phase: Phase, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const cpuBefore = ownCpuSeconds() + reapedChildrenCpuSeconds();
  try {
    return await fn();
  } finally {
    phases[phase] = Math.round(performance.now() - started);
    cpu[phase] = Math.round((ownCpuSeconds() + reapedChildrenCpuSeconds() - cpuBefore) * 100) / 100;
  }
}

async function oneRun(run: number, options: StartupBenchOptions, topicPrefix: string, logDir: string): Promise<StartupRun> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const fleet = readFleet();
  const phases: Partial<Record<Phase, number>> = {};
  const cpu: Partial<Record<Phase, number>> = {};
  const load1 = Math.round(os.loadavg()[0]! * 100) / 100;
  const startedAt = new Date().toISOString();
  // Free ports first (not part of npm start, which reads them from fleet.json).
  const ports = new Map<string, { http: number; grpc: number | null }>();
  for (const s of fleet.services) ports.set(s.name, { http: await freePort(), grpc: s.grpcPort === null ? null : await freePort() });
  const oidcPort = await freePort();
  const gatewayPort = ports.get('gateway')?.http ?? 0;
  const envOf = (s: FleetService): NodeJS.ProcessEnv => {
    const own = ports.get(s.name)!;
    const overrides: Record<string, string> = { HTTP_PORT: String(own.http), LOG_LEVEL: options.logLevel };
    if (own.grpc !== null) overrides.GRPC_PORT = String(own.grpc);
    for (const peer of fleet.services) {
      const p = ports.get(peer.name);
      if (peer.name !== s.name && p?.grpc) overrides[grpcUrlVariable(peer.name)] = `${HOST}:${p.grpc}`;
    }
    if (s.name === 'gateway') overrides.PUBLIC_BASE_URL = `http://${HOST}:${own.http}`;
    if (s.name === 'notification') overrides.PUBLIC_WEB_URL = `http://${HOST}:${gatewayPort}`;
    if (s.name === 'identity') {
      overrides.OIDC_LOCAL_ISSUER = `http://${HOST}:${oidcPort}`;
      overrides.OIDC_LOCAL_REDIRECT_URI = `http://${HOST}:${gatewayPort}/api/v1/auth/oidc/local/callback`;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...buildServiceEnv(s.name, { databaseName: options.databaseName, brokers: options.brokers, topicPrefix, overrides }),
      ...(options.serviceEnv?.['*'] ?? {}),
      ...(options.serviceEnv?.[s.name] ?? {}),
    };
    // As fleet-launcher.mjs: a service never inherits the superuser URL.
    delete env.DATABASE_ADMIN_URL;
    delete env.BENCH_ADMIN_URL;
    return env;
  };

  if (options.bootstrap) {
    await timed(phases, cpu, 'bootstrap', async () => {
      const file = join(logDir, `run${run}.bootstrap.log`);
      const code = await exitOf(spawnLogged([join(repoRoot, 'scripts', 'bootstrap.mjs'), '--build'], process.env, repoRoot, file));
      if (code !== 0) throw new Error(`bootstrap --build failed (exit ${code}):\n${tail(file)}`);
    });
  } else {
    phases.bootstrap = 0;
    cpu.bootstrap = 0;
  }
  await timed(phases, cpu, 'infra', () => infraUp());
  const database = await timed(phases, cpu, 'database', async () => {
    const { created } = await ensureDatabase(options.databaseName);
    await provisionServices(options.databaseName);
    return created ? 'fresh' : 'existing';
  });
  // npm start's own runner (all services' migrations at once), with this run's environment and logs.
  await timed(phases, cpu, 'migrations', () =>
    runMigrations(
      { databaseName: options.databaseName, brokers: options.brokers, topicPrefix },
      { envFor: (name) => envOf(fleet.services.find((s) => s.name === name)!), logFileFor: (name) => join(logDir, `run${run}.${name}.migrate.log`) },
    ),
  );
  const oidc = await timed(phases, cpu, 'oidc', () =>
    startLocalOidcProvider({
      port: oidcPort,
      issuer: `http://${HOST}:${oidcPort}`,
      clients: [{ clientId: LOCAL_OIDC.clientId, clientSecret: localOidcClientSecret(), redirectUris: [`http://${HOST}:${gatewayPort}/api/v1/auth/oidc/local/callback`] }],
    }),
  );
  const children: Child[] = [];
  const samples: Record<string, ServiceSample> = {};
  let servicesMs = 0;
  try {
    await timed(phases, cpu, 'services', async () => {
      const first = performance.now();
      for (const s of fleet.services) {
        const entry = join(repoRoot, 'services', s.name, 'dist', 'src', 'main.js');
        // As fleet-launcher.mjs: no --enable-source-maps (BENCH_NODE_ARGS can add it).
        const args = [...(options.nodeArgs?.['*'] ?? []), ...(options.nodeArgs?.[s.name] ?? []), entry];
        const spawnedAt = performance.now();
        const child = spawnLogged(args, envOf(s), join(repoRoot, 'services', s.name), join(logDir, `run${run}.${s.name}.log`));
        children.push({ service: s, process: child, spawnedAt, httpPort: ports.get(s.name)!.http });
      }
      const ready = await Promise.all(children.map(async (c) => {
        const outcome = await waitReady(c, 120_000).catch((error: unknown) => {
          throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${join(logDir, `run${run}.${c.service.name}.log`)} ---\n${tail(join(logDir, `run${run}.${c.service.name}.log`))}`);
        });
        return { name: c.service.name, ...outcome, readyAt: c.spawnedAt + outcome.readyMs, cpuAtReady: cpuSeconds(c.process.pid ?? 0) };
      }));
      servicesMs = Math.round(Math.max(...ready.map((r) => r.readyAt)) - first);
      for (const r of ready) samples[r.name] = { readyMs: Math.round(r.readyMs), consumersMs: r.consumersMs === null ? null : Math.round(r.consumersMs), rssMb: 0, peakRssMb: 0, heapUsedMb: null, cpuAtReadySeconds: r.cpuAtReady, cpuSeconds: 0 };
    });
    // Ready means served: the phase ends when the last /ready answered 200 (consumers may still join).
    const totalMs = Math.round(PHASES.reduce((sum, p) => sum + (phases[p] ?? 0), 0) - (phases.services ?? 0) + servicesMs);
    log(`bench:startup run ${run} (${database} database, load ${load1}): all ready ${(totalMs / 1000).toFixed(1)} s; settling ${options.settleMs / 1000} s`);
    await sleep(options.settleMs);
    cpu.services = Math.round(Object.values(samples).reduce((sum, x) => sum + x.cpuAtReadySeconds, 0) * 100) / 100;
    for (const c of children) {
      const pid = c.process.pid ?? 0;
      const sample = samples[c.service.name]!;
      sample.rssMb = Math.round(procStatusKb(pid, 'VmRSS') / 102.4) / 10;
      sample.peakRssMb = Math.round(procStatusKb(pid, 'VmHWM') / 102.4) / 10;
      sample.cpuSeconds = cpuSeconds(pid);
      sample.heapUsedMb = await heapUsed(c.httpPort);
    }
    return { run, database, startedAt, load1, phasesMs: phases as Record<Phase, number>, phasesCpuS: cpu as Record<Phase, number>, totalMs, servicesMs, services: samples };
  } finally {
    await stopChildren(children.map((c) => c.process), 15_000);
    await oidc.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface StartupBenchResult {
  node: string;
  runs: number;
  /** Median over the runs of ms from npm start to every service ready. */
  totalMsMedian: number;
  totalMsMax: number;
  /** Median of ms from the first spawn to every service ready. */
  servicesMsMedian: number;
  /** Median over the runs of the CPU seconds of every step (the floor of the wall time on a machine's cores). */
  cpuSMedian: number;
  /** Largest idle RSS of any service in any run (MB), and whose. */
  maxRssMb: number;
  maxRssService: string;
  /** Median idle RSS per service (MB). */
  rssMbMedian: Record<string, number>;
  goals: { allReadyS: number; rssMb: number; met: boolean };
}

export async function runStartupBench(options: StartupBenchOptions): Promise<{ result: StartupBenchResult; runs: StartupRun[] }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const runId = newRunId();
  const topicPrefix = topicPrefixFor(runId);
  const logDir = join(dataPaths().logs, 'bench', 'startup', runId);
  mkdirSync(logDir, { recursive: true });
  await dropDatabase(options.databaseName, { force: true });
  log(`bench:startup: node ${process.versions.node}, ${options.runs} runs, database ${options.databaseName} (dropped first), topic prefix ${topicPrefix}, logs ${logDir.slice(repoRoot.length + 1)}`);
  const runs: StartupRun[] = [];
  try {
    for (let i = 1; i <= options.runs; i++) runs.push(await oneRun(i, options, topicPrefix, logDir));
  } finally {
    await dropDatabase(options.databaseName, { force: true }).catch(() => undefined);
  }
  printTable(runs, log);
  const names = Object.keys(runs[0]!.services);
  const rssMbMedian = Object.fromEntries(names.map((n) => [n, Math.round(median(runs.map((r) => r.services[n]!.rssMb)) * 10) / 10]));
  let maxRssMb = 0;
  let maxRssService = '';
  for (const r of runs) for (const [n, s] of Object.entries(r.services)) if (s.rssMb > maxRssMb) [maxRssMb, maxRssService] = [s.rssMb, n];
  const totals = runs.map((r) => r.totalMs);
  const result: StartupBenchResult = {
    node: process.versions.node,
    runs: runs.length,
    totalMsMedian: median(totals),
    totalMsMax: Math.max(...totals),
    servicesMsMedian: median(runs.map((r) => r.servicesMs)),
    cpuSMedian: Math.round(median(runs.map((r) => PHASES.reduce((sum, p) => sum + (r.phasesCpuS[p] ?? 0), 0))) * 10) / 10,
    maxRssMb,
    maxRssService,
    rssMbMedian,
    goals: { allReadyS: 20, rssMb: 150, met: Math.max(...totals) <= 20_000 && maxRssMb <= 150 },
  };
  return { result, runs };
}

function printTable(runs: StartupRun[], log: (line: string) => void): void {
  const s = (ms: number): string => (ms / 1000).toFixed(1);
  log('');
  log(`Wall seconds per step (CPU seconds in brackets):`);
  log(`| run | db | load 1 min | ${PHASES.join(' | ')} | **all ready s** | CPU s |`);
  log(`|---|---|---|${PHASES.map(() => '---').join('|')}|---|---|`);
  for (const r of runs) {
    const cpuTotal = PHASES.reduce((sum, p) => sum + (r.phasesCpuS[p] ?? 0), 0);
    log(`| ${r.run} | ${r.database} | ${r.load1} | ${PHASES.map((p) => `${s(r.phasesMs[p])} (${r.phasesCpuS[p]?.toFixed(1)})`).join(' | ')} | **${s(r.totalMs)}** | ${cpuTotal.toFixed(1)} |`);
  }
  log('');
  log('| run | service | ready s (from spawn) | consumers joined s | CPU s to ready | idle RSS MB | peak RSS MB | heap used MB | CPU s at sample |');
  log('|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    for (const [name, x] of Object.entries(r.services)) {
      log(`| ${r.run} | ${name} | ${s(x.readyMs)} | ${x.consumersMs === null ? '—' : s(x.consumersMs)} | ${x.cpuAtReadySeconds} | ${x.rssMb} | ${x.peakRssMb} | ${x.heapUsedMb ?? '—'} | ${x.cpuSeconds} |`);
    }
  }
  log('');
}
