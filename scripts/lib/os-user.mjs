// PostgreSQL refuses to run as root. When we are root (containers, CI runners), the server runs
// as an unprivileged system user: `postgres` when it exists, else one we create
// (`storytelling-pg`, no home, no shell). When we are not root it runs as ourselves.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UserFacingError, say } from './log.mjs';
import { which } from './exec.mjs';

/** @typedef {{ name: string, uid: number, gid: number }} OsUser */

/** @param {string} name @returns {OsUser | null} */
function lookup(name) {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // no /etc/passwd: fall through to `id`
  }
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status === 0 && gid.status === 0) return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  return null;
}

function create(/** @type {string} */ name) {
  const nologin = ['/usr/sbin/nologin', '/sbin/nologin', '/bin/false'].find((s) => {
    try {
      readFileSync(s);
      return true;
    } catch {
      return false;
    }
  }) ?? '/bin/false';
  const attempts = [
    ['useradd', ['--system', '--no-create-home', '--user-group', '--shell', nologin, name]],
    ['adduser', ['-S', '-D', '-H', '-s', nologin, name]], // busybox/alpine
  ];
  for (const [command, args] of /** @type {[string, string[]][]} */ (attempts)) {
    if (!which(command)) continue;
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status === 0) return;
    throw new UserFacingError(`could not create the system user "${name}": ${result.stderr.trim()}`, 'create an unprivileged user and set PG_OS_USER to its name');
  }
  throw new UserFacingError(`running as root and there is no "postgres" user to run PostgreSQL as (no useradd/adduser to create one)`, 'create an unprivileged user and set PG_OS_USER to its name, or run as a normal user');
}

/** The OS user the PostgreSQL server runs as; null means "ourselves". @returns {OsUser | null} */
export function postgresOsUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const wanted = process.env.PG_OS_USER;
  if (wanted) {
    const user = lookup(wanted);
    if (!user) throw new UserFacingError(`PG_OS_USER=${wanted} does not exist`);
    return user;
  }
  const existing = lookup('postgres') ?? lookup('storytelling-pg');
  if (existing) return existing;
  say('postgres', 'running as root: creating system user "storytelling-pg" to run PostgreSQL');
  create('storytelling-pg');
  const created = lookup('storytelling-pg');
  if (!created) throw new UserFacingError('created user "storytelling-pg" but cannot find it');
  return created;
}

/**
 * Whether `user` can create files in `dir` (catches a data folder below a parent it cannot
 * traverse, e.g. /root). @param {OsUser | null} user @param {string} dir
 */
export function canWrite(user, dir) {
  if (!user) return true;
  const result = spawnSync('test', ['-w', dir, '-a', '-x', dir], { uid: user.uid, gid: user.gid });
  return result.status === 0;
}
