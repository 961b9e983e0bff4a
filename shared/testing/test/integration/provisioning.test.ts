import pg from 'pg';
import { adminUrl, databaseUrlFor, dropDatabase, ensureDatabase, provisionServices, testEnvironment, type SchemaOwner } from '../../src/index.js';
import { dropServiceRole } from '../../../../scripts/lib/provisioning.mjs';

// Two ad-hoc services, named per run so concurrent runs do not share (cluster-wide) roles.
const env = testEnvironment();
const alpha: SchemaOwner = { name: `alpha_${env.runId}`, schema: `alpha_${env.runId}` };
const beta: SchemaOwner = { name: `beta_${env.runId}`, schema: `beta_${env.runId}` };

async function connectAs(service: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrlFor(service, env.databaseName) });
  await client.connect();
  return client;
}

/** The SQLSTATE a statement fails with ('' when it succeeds). */
async function sqlState(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
    return '';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';

describe('service database provisioning', () => {
  let a: pg.Client;
  let b: pg.Client;

  beforeAll(async () => {
    await provisionServices(env.databaseName, [alpha, beta]);
    a = await connectAs(alpha.name);
    b = await connectAs(beta.name);
    await b.query('CREATE TABLE secrets (id int PRIMARY KEY, value text)');
    await b.query("INSERT INTO secrets VALUES (1, 'beta only')");
  });

  afterAll(async () => {
    await a?.end();
    await b?.end();
    await dropServiceRole(env.databaseName, alpha);
    await dropServiceRole(env.databaseName, beta);
  });

  it('gives each service its own schema as search_path, where it can create and use tables', async () => {
    expect((await a.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s).toBe(alpha.schema);
    await a.query('CREATE TABLE notes (id int PRIMARY KEY)');
    await a.query('INSERT INTO notes VALUES (1)');
    expect((await a.query(`SELECT count(*)::int AS n FROM ${alpha.schema}.notes`)).rows[0]).toEqual({ n: 1 });
  });

  it("does not let a service read or write another service's tables", async () => {
    expect(await sqlState(a, `SELECT * FROM ${beta.schema}.secrets`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState(a, `INSERT INTO ${beta.schema}.secrets VALUES (2, 'x')`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState(a, `DROP TABLE ${beta.schema}.secrets`)).not.toBe('');
  });

  it("does not let a service create anything in another service's schema or in public", async () => {
    expect(await sqlState(a, `CREATE TABLE ${beta.schema}.intruder (id int)`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState(a, 'CREATE TABLE public.intruder (id int)')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState(a, `CREATE SCHEMA ${alpha.schema}_extra`)).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('does not let a service change its own privileges', async () => {
    expect(await sqlState(a, `GRANT USAGE ON SCHEMA ${beta.schema} TO ${alpha.name}`)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await sqlState(a, `SET ROLE ${beta.name}`)).toBe(INSUFFICIENT_PRIVILEGE);
    const role = await a.query('SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user');
    expect(role.rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  });

  it('is idempotent and keeps data and passwords working', async () => {
    await provisionServices(env.databaseName, [alpha, beta]);
    const again = await connectAs(beta.name);
    try {
      expect((await again.query('SELECT value FROM secrets')).rows).toEqual([{ value: 'beta only' }]);
    } finally {
      await again.end();
    }
  });

  it('does not admit a service to a provisioned database it has no schema in', async () => {
    const other = `${env.databaseName}_other`;
    const gamma: SchemaOwner = { name: `gamma_${env.runId}`, schema: `gamma_${env.runId}` };
    await ensureDatabase(other);
    try {
      await provisionServices(other, [gamma]);
      const outsider = new pg.Client({ connectionString: databaseUrlFor(gamma.name, env.databaseName) });
      outsider.on('error', () => undefined);
      await expect(outsider.connect()).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      await outsider.end().catch(() => undefined);
      const insider = await connectAs(alpha.name);
      await insider.end();
      const url = new URL(databaseUrlFor(alpha.name, env.databaseName));
      url.pathname = `/${other}`;
      const wrongDatabase = new pg.Client({ connectionString: url.toString() });
      wrongDatabase.on('error', () => undefined);
      await expect(wrongDatabase.connect()).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      await wrongDatabase.end().catch(() => undefined);
    } finally {
      await dropServiceRole(other, gamma);
      await dropDatabase(other, { force: true });
    }
  });

  it('provisions the fleet services of fleet.json in the run database', async () => {
    const admin = new pg.Client({ connectionString: adminUrl(env.databaseName) });
    await admin.connect();
    try {
      const schemas = await admin.query<{ nspname: string; owner: string }>(
        "SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'identity'",
      );
      expect(schemas.rows).toEqual([{ nspname: 'identity', owner: 'identity' }]);
    } finally {
      await admin.end();
    }
  });
});
