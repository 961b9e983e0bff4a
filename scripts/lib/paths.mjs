// Where things live on disk. Everything generated stays under the repository's .data/ (runtime
// state) and .tools/ (tools installed on demand), both git-ignored.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The data root; STORYTELLING_DATA_DIR moves it (used to run a second, isolated copy). */
export function dataRoot() {
  const override = process.env.STORYTELLING_DATA_DIR;
  return override ? resolve(override) : join(repoRoot, '.data');
}

export function toolsRoot() {
  return join(repoRoot, '.tools');
}

/**
 * Where the local PostgreSQL and Kafka keep their data, sockets, pid files and logs: the data root,
 * unless STORYTELLING_INFRA_DIR points elsewhere (a test run's own servers, see test-run.mjs).
 * Kafka's jars stay in the data root either way (downloaded once).
 */
export function infraRoot() {
  const override = process.env.STORYTELLING_INFRA_DIR;
  return override ? resolve(override) : dataRoot();
}

export function dataPaths() {
  const root = dataRoot();
  const infra = infraRoot();
  return {
    root,
    logs: join(root, 'logs'),
    run: join(root, 'run'),
    keys: join(root, 'keys'),
    secrets: join(root, 'secrets.json'),
    testEnv: join(root, 'test-env.json'),
    postgres: {
      data: join(infra, 'postgres'),
      socket: join(infra, 'run', 'pg-socket'),
      log: join(infra, 'logs', 'postgres.log'),
    },
    kafka: {
      libs: join(root, 'kafka', 'libs'),
      data: join(infra, 'kafka', 'data'),
      properties: join(infra, 'kafka', 'server.properties'),
      log4j: join(infra, 'kafka', 'log4j2.xml'),
      pid: join(infra, 'run', 'kafka.pid'),
      log: join(infra, 'logs', 'kafka.log'),
    },
  };
}
