// Database provisioning: one database per environment (the fleet's `storytelling`, or a test
// run's), and in it, per service with a schema, a LOGIN role named after the service that owns
// that schema and can use nothing else (ARCHITECTURE.md §1: a service's data is its own).
import { UserFacingError } from './log.mjs';
import { readFleet } from './fleet-manifest.mjs';
import { localAdminUrl } from './postgres-server.mjs';
import { secret } from './secrets.mjs';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** @param {string} name */
function ident(name) {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a valid lower-case SQL identifier`);
  return `"${name}"`;
}

/** @param {string} value */
const literal = (value) => `'${value.replaceAll("'", "''")}'`;

/** Superuser URL for databaseName: DATABASE_ADMIN_URL (external server) or the local server's. */
export function adminUrl(databaseName = 'postgres') {
  const external = process.env.DATABASE_ADMIN_URL;
  if (!external) return localAdminUrl(databaseName);
  const url = new URL(external);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/** The password of a service's role (generated once into .data/secrets.json). @param {string} service */
export function rolePassword(service) {
  return secret(`role:${service}`);
}

/**
 * The service's own connection URL: its role, its password, the admin URL's host and port.
 * @param {string} service @param {string} [databaseName]
 */
export function databaseUrlFor(service, databaseName = readFleet().database) {
  ident(service);
  const url = new URL(adminUrl(databaseName));
  url.username = service;
  url.password = rolePassword(service);
  url.search = '';
  return url.toString();
}

/** @template T @param {string} url @param {(client: import('pg').Client) => Promise<T>} fn @returns {Promise<T>} */
export async function withAdminClient(url, fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** @param {unknown} error */
const pgCode = (error) => (typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '');

/** Creates the database unless it exists. @param {string} name @returns {Promise<{ created: boolean }>} */
export async function ensureDatabase(name) {
  ident(name);
  return withAdminClient(adminUrl('postgres'), async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return { created: false };
    try {
      await client.query(`CREATE DATABASE ${ident(name)} ENCODING 'UTF8' TEMPLATE template0`);
      return { created: true };
    } catch (error) {
      // Someone created it between our check and our CREATE (duplicate_database / unique_violation).
      if (pgCode(error) === '42P04' || pgCode(error) === '23505') return { created: false };
      throw error;
    }
  });
}

/**
 * Drops a database. force ends its sessions first (PostgreSQL 13+); without it, a database in
 * use is left alone and false is returned.
 * @param {string} name @param {{ force?: boolean }} [options]
 */
export async function dropDatabase(name, options = {}) {
  ident(name);
  return withAdminClient(adminUrl('postgres'), async (client) => {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${ident(name)}${options.force ? ' WITH (FORCE)' : ''}`);
      return true;
    } catch (error) {
      if (pgCode(error) === '55006') return false; // object_in_use
      throw error;
    }
  });
}

/** Names of databases starting with prefix. @param {string} prefix @returns {Promise<string[]>} */
export async function listDatabases(prefix) {
  return withAdminClient(adminUrl('postgres'), async (client) => {
    const result = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname', [prefix]);
    return result.rows.map((row) => String(row.datname));
  });
}

/** Whether a database of that name exists. @param {string} name @returns {Promise<boolean>} */
export async function databaseExists(name) {
  return (await listDatabases(name)).includes(name);
}

/** @typedef {{ name: string, schema: string }} SchemaOwner */

/** Services of fleet.json that own a schema. @returns {SchemaOwner[]} */
export function servicesWithSchema() {
  return readFleet().services.flatMap((s) => (s.schema ? [{ name: s.name, schema: s.schema }] : []));
}

// Roles are cluster-wide; concurrent ALTER ROLE on one role fails ("tuple concurrently updated"),
// so role changes are serialised with an advisory lock held in the `postgres` database.
const ROLE_LOCK = 740_129_001;

/** @param {SchemaOwner[]} owners */
async function ensureRoles(owners) {
  await withAdminClient(adminUrl('postgres'), async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ROLE_LOCK]);
    try {
      for (const { name, schema } of owners) {
        const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD ${literal(rolePassword(name))}`;
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
        await client.query(`${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${ident(name)} WITH ${attributes}`);
        await client.query(`ALTER ROLE ${ident(name)} SET search_path = ${ident(schema)}`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLE_LOCK]);
    }
  });
}

/**
 * Provisions every schema-owning service (or the given ones) in databaseName: role, schema
 * owned by it, CONNECT on the database, nothing on `public` or on the other services' schemas.
 * Idempotent; passwords are re-applied so they always match .data/secrets.json.
 * @param {string} databaseName @param {SchemaOwner[]} [owners]
 * @returns {Promise<SchemaOwner[]>}
 */
export async function provisionServices(databaseName, owners = servicesWithSchema()) {
  ident(databaseName);
  owners.forEach((o) => (ident(o.name), ident(o.schema)));
  if (owners.length === 0) return owners;
  try {
    await ensureRoles(owners);
  } catch (error) {
    throw new UserFacingError(`provisioning roles failed: ${error instanceof Error ? error.message : String(error)}`, 'the admin connection needs CREATEROLE (superuser on the local server)');
  }
  await withAdminClient(adminUrl(databaseName), async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ROLE_LOCK]);
    try {
      // Nobody gets anything by default: not CONNECT/TEMP on the database, not the public schema.
      await client.query(`REVOKE ALL ON DATABASE ${ident(databaseName)} FROM PUBLIC`);
      await client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
      for (const { name, schema } of owners) {
        await client.query(`GRANT CONNECT ON DATABASE ${ident(databaseName)} TO ${ident(name)}`);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(name)}`);
        await client.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(name)}`);
        await client.query(`REVOKE ALL ON SCHEMA ${ident(schema)} FROM PUBLIC`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLE_LOCK]);
    }
  });
  return owners;
}

/**
 * Removes a role and everything it owns in databaseName (test clean-up of ad-hoc roles).
 * @param {string} databaseName @param {SchemaOwner} owner
 */
export async function dropServiceRole(databaseName, owner) {
  await withAdminClient(adminUrl(databaseName), async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${ident(owner.schema)} CASCADE`);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner.name]);
    if (!exists.rowCount) return;
    await client.query(`DROP OWNED BY ${ident(owner.name)}`);
    await client.query(`REVOKE ALL ON DATABASE ${ident(databaseName)} FROM ${ident(owner.name)}`);
  });
  await withAdminClient(adminUrl('postgres'), (client) => client.query(`DROP ROLE IF EXISTS ${ident(owner.name)}`));
}
