// PostgreSQL refuses to run as root. When we are root (containers, CI runners), the server runs
// as an unprivileged system user: `postgres` when it exists, else one we create
// (`storytelling-pg`, no home, no shell). When we are not root it runs as ourselves.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

/** Whether every folder from / down to dir lets "others" traverse it (o+x). */
function othersCanTraverse(/** @type {string} */ dir) {
  let current = resolve(dir);
  for (;;) {
    try {
      if (!(statSync(current).mode & 0o001)) return false;
    } catch {
      // not created yet: it will be, with the default umask
    }
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Whether the server's OS user can reach files below dir. As root the server runs as another
 * user, who cannot enter e.g. /root (mode 700): a checkout there needs its server files elsewhere.
 * @param {string} dir
 */
export function reachableByServerUser(dir) {
  return !(typeof process.getuid === 'function' && process.getuid() === 0) || othersCanTraverse(dir);
}

/**
 * A folder outside the checkout for server files the server's user could not reach inside it,
 * named after the checkout so two checkouts do not share it. @param {string} key @param {string} name
 */
export function outsideFolder(key, name) {
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  return join(base, `storytelling-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`, name);
}
