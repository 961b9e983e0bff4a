// The project's own PostgreSQL: initialised once in .data/postgres, started detached on
// 127.0.0.1:55432 (PG_PORT), health-checked, stopped with a fast (clean) shutdown. A test run's
// own server lives under STORYTELLING_INFRA_DIR instead (paths.mjs, test-run.mjs).
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserFacingError, say } from './log.mjs';
import { captureChecked } from './exec.mjs';
import { canConnect, pollUntil } from './net.mjs';
import { canWrite, outsideFolder, postgresOsUser, reachableByServerUser } from './os-user.mjs';
import { dataPaths, infraRoot } from './paths.mjs';
import { locatePostgres } from './postgres-binaries.mjs';
import { livePid, spawnDetached, stopProcess } from './processes.mjs';
import { secret } from './secrets.mjs';

export const SUPERUSER = 'postgres';
const HOST = '127.0.0.1';

export function postgresPort() {
  return Number.parseInt(process.env.PG_PORT ?? '55432', 10);
}

/** Superuser URL of the local server (password from .data/secrets.json). */
export function localAdminUrl(database = 'postgres') {
  return `postgres://${SUPERUSER}:${secret('postgres:superuser')}@${HOST}:${postgresPort()}/${database}`;
}

/**
 * .data/run/pg-socket, unless the path is too long for a unix socket (~107 bytes; a deep
 * checkout) or the server's user cannot reach it (root's checkout under /root): then a folder
 * outside, named after the checkout.
 */
function socketDir() {
  const preferred = dataPaths().postgres.socket;
  if (`${preferred}/.s.PGSQL.${postgresPort()}`.length <= 100 && reachableByServerUser(dirname(preferred))) return preferred;
  return outsideFolder(infraRoot(), 'pg-socket');
}

/** .data/postgres, or where its symlink points when it had to live outside (see initialise). */
function dataDir() {
  const configured = dataPaths().postgres.data;
  return existsSync(configured) ? realpathSync(configured) : configured;
}

/** @param {import('pg').ClientConfig} config @param {(client: import('pg').Client) => Promise<T>} fn @template T */
async function withClient(config, fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionTimeoutMillis: 3000, ...config });
  // A dropped connection must not crash the script with an unhandled 'error' event.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const socketConfig = () => ({ host: socketDir(), port: postgresPort(), user: SUPERUSER, database: 'postgres' });

function postmasterPid() {
  const data = dataDir();
  // postmaster.pid is Postgres's own pid file; its first line is the server's pid.
  return livePid(join(data, 'postmaster.pid'), data, { keepStale: true });
}

/** @returns {Promise<{ running: boolean, pid: number | null, port: number, dataDir: string, initialised: boolean, accepting: boolean }>} */
export async function localPostgresStatus() {
  const data = dataDir();
  const pid = postmasterPid();
  const accepting = pid !== null && (await withClient(socketConfig(), async (c) => c.query('select 1')).then(() => true, () => false));
  return { running: pid !== null, pid, port: postgresPort(), dataDir: data, initialised: existsSync(join(data, 'PG_VERSION')), accepting };
}

/** @param {import('./os-user.mjs').OsUser | null} user @param {string} dir */
function ownedDir(user, dir, mode = 0o700) {
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  chmodSync(dir, mode);
}

/**
 * initdb unless done; true when it ran.
 * @param {import('./postgres-binaries.mjs').PostgresBinaries} binaries @param {import('./os-user.mjs').OsUser | null} user
 */
async function initialise(binaries, user) {
  const configured = dataPaths().postgres.data;
  let data = dataDir();
  const versionFile = join(data, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const dataMajor = Number.parseInt(readFileSync(versionFile, 'utf8'), 10);
    if (dataMajor !== binaries.major) {
      throw new UserFacingError(
        `${data} was initialised by PostgreSQL ${dataMajor}, but the binaries found are ${binaries.version} (${binaries.source}: ${binaries.bin})`,
        `set PG_BIN to a PostgreSQL ${dataMajor} bin folder, or delete ${data} to start with an empty database`,
      );
    }
    return false;
  }
  // A folder without PG_VERSION is the remains of an interrupted initdb: start over.
  if (existsSync(data) && readdirSync(data).length > 0) {
    rmSync(data, { recursive: true, force: true });
    rmSync(configured, { force: true }); // the symlink, if it was one
    data = configured;
  }
  if (!existsSync(configured) && !reachableByServerUser(dirname(configured))) {
    // The server's user cannot enter the checkout: keep the data outside, linked from .data.
    data = outsideFolder(infraRoot(), 'postgres');
    rmSync(data, { recursive: true, force: true }); // left by a deleted .data: .data/ is the source of truth
    ownedDir(user, data);
    mkdirSync(dirname(configured), { recursive: true });
    symlinkSync(data, configured);
    say('postgres', `${user?.name} cannot reach ${dirname(configured)}; the data lives in ${data} (linked from ${configured})`);
  }
  ownedDir(user, data);
  if (!canWrite(user, data)) {
    throw new UserFacingError(
      `PostgreSQL runs as the OS user "${user?.name}", which cannot reach ${data}`,
      'make the parent folders traversable (chmod o+x), or set STORYTELLING_DATA_DIR to a folder that user can reach',
    );
  }
  say('postgres', `initialising ${data} (PostgreSQL ${binaries.version}, ${binaries.source}${user ? `, as OS user ${user.name}` : ''})`);
  // Socket connections are trusted (the socket folder is private to the server's user and root);
  // TCP needs the superuser password.
  await captureChecked(join(binaries.bin, 'initdb'), [
    '-D', data, '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-instructions',
  ], { uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, cwd: data });
  return true;
}

/** initdb of dataPaths().postgres.data unless done (test runs copy such a folder; see test-run.mjs). */
export async function initialisePostgresData() {
  return initialise(await locatePostgres(), postgresOsUser());
}

/**
 * Makes the superuser password match .data/secrets.json (it is set over the trusted socket), so
 * a lost secrets file does not lock us out of our own server.
 * @param {{ fresh?: boolean }} [options] fresh: just initialised, no password yet
 */
async function syncSuperuserPassword(options = {}) {
  const password = secret('postgres:superuser');
  if (!options.fresh) {
    const tcpWorks = await withClient({ connectionString: localAdminUrl() }, async (c) => c.query('select 1')).then(() => true, () => false);
    if (tcpWorks) return;
  }
  await withClient(socketConfig(), (c) => c.query(`ALTER ROLE ${SUPERUSER} WITH PASSWORD '${password.replaceAll("'", "''")}'`));
  await withClient({ connectionString: localAdminUrl() }, (c) => c.query('select 1'));
}

function logTail(lines = 20) {
  try {
    return readFileSync(dataPaths().postgres.log, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts the local server unless it already runs (then only checks it).
 * @returns {Promise<{ started: boolean, pid: number, version: string }>}
 */
export async function startLocalPostgres() {
  const paths = { ...dataPaths().postgres, data: dataDir() };
  const running = postmasterPid();
  if (running !== null) {
    await pollUntil(() => withClient(socketConfig(), (c) => c.query('select 1')).then(() => true), { timeoutMs: 60_000, what: 'the running PostgreSQL to accept connections' });
    await syncSuperuserPassword();
    const version = await withClient(socketConfig(), (c) => c.query('SHOW server_version')).then((r) => String(r.rows[0].server_version).split(' ')[0]);
    return { started: false, pid: running, version };
  }
  if (await canConnect(HOST, postgresPort())) {
    throw new UserFacingError(
      `port ${postgresPort()} is taken by a process that is not this checkout's PostgreSQL (${paths.data})`,
      'stop that process, set PG_PORT to another port, or set DATABASE_ADMIN_URL to use that server',
    );
  }
  const binaries = await locatePostgres();
  const user = postgresOsUser();
  const fresh = await initialise(binaries, user);
  paths.data = dataDir();
  ownedDir(user, socketDir());
  mkdirSync(dirname(paths.log), { recursive: true });
  const child = await spawnDetached(join(binaries.bin, 'postgres'), [
    '-D', paths.data,
    '-c', `listen_addresses=${HOST}`,
    '-c', `port=${postgresPort()}`,
    '-c', `unix_socket_directories=${socketDir()}`,
    '-c', 'unix_socket_permissions=0700',
    '-c', 'max_connections=300',
    // Local development data: losing the last few commits after a crash is fine, waiting for
    // fsync on every test insert is not. (No corruption risk, unlike fsync=off.)
    '-c', 'synchronous_commit=off',
    '-c', 'timezone=UTC',
    // The server's own log must not hold personal data either: no DETAIL ("Failing row contains
    // (…email, password hash…)") and no failing statement text.
    '-c', 'log_error_verbosity=terse',
    '-c', 'log_min_error_statement=panic',
  ], { logFile: paths.log, uid: user?.uid, gid: user?.gid, cwd: paths.data, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  try {
    await pollUntil(() => withClient(socketConfig(), (c) => c.query('select 1')).then(() => true), {
      timeoutMs: 60_000,
      what: 'PostgreSQL to accept connections',
      abort: () => (child.exited() ? `postgres exited with code ${child.exitCode()}` : null),
    });
  } catch (error) {
    throw new UserFacingError(`${error instanceof Error ? error.message : String(error)}\n--- ${paths.log} (tail) ---\n${logTail()}`);
  }
  await syncSuperuserPassword({ fresh });
  return { started: true, pid: child.pid, version: binaries.version };
}

/** Fast shutdown: SIGINT ends sessions and shuts down cleanly. (SIGTERM is Postgres's "smart"
 * mode, which waits for every client, i.e. for a running fleet, to disconnect first.)
 * `immediate`: SIGQUIT, no checkpoint, for a server whose data is deleted next (a test run's). */
export async function stopLocalPostgres(options = {}) {
  const pid = postmasterPid();
  if (pid === null) return 'not-running';
  return stopProcess(pid, { signal: options.immediate ? 'SIGQUIT' : 'SIGINT', timeoutMs: 60_000 });
}

/** Whether a server at url accepts our login. @param {string} url */
export async function checkPostgres(url) {
  await withClient({ connectionString: url }, (c) => c.query('select 1'));
}
