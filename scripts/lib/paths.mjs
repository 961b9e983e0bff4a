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

export function dataPaths() {
  const root = dataRoot();
  return {
    root,
    logs: join(root, 'logs'),
    run: join(root, 'run'),
    keys: join(root, 'keys'),
    secrets: join(root, 'secrets.json'),
    testEnv: join(root, 'test-env.json'),
    postgres: {
      data: join(root, 'postgres'),
      socket: join(root, 'run', 'pg-socket'),
      log: join(root, 'logs', 'postgres.log'),
    },
    kafka: {
      libs: join(root, 'kafka', 'libs'),
      data: join(root, 'kafka', 'data'),
      properties: join(root, 'kafka', 'server.properties'),
      log4j: join(root, 'kafka', 'log4j2.xml'),
      pid: join(root, 'run', 'kafka.pid'),
      log: join(root, 'logs', 'kafka.log'),
    },
  };
}
