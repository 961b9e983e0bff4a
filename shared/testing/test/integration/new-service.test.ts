// npm run new:service against a copy of the repository's wiring (no install, no build): what it
// writes, that the copy's deploy:check accepts the new service's Dockerfile, compose, helm, k8s/
// and skaffold entries, that check:layout accepts the skeleton, and what it refuses. The
// repository itself is never written.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const NAME = 'shelf';

/** What the generator and deploy:check read: the wiring, proto/, the contracts' two hand-written files, every service's package.json and Dockerfile, scripts/, the runbook, the platform's sources. */
function copyRepository(to: string): void {
  // docs/operations.md and shared/platform/src: the alerts' runbook entries and the metrics the platform registers.
  for (const path of ['fleet.json', 'tsconfig.json', 'package.json', 'docker-compose.yaml', 'skaffold.yaml', '.dockerignore', 'helm', 'k8s', 'proto', 'scripts', 'docs/operations.md', 'shared/platform/src']) {
    cpSync(join(repo, path), join(to, path), { recursive: true });
  }
  mkdirSync(join(to, 'shared/contracts/src'), { recursive: true });
  for (const file of ['index.ts', 'proto-path.ts']) cpSync(join(repo, 'shared/contracts/src', file), join(to, 'shared/contracts/src', file));
  for (const service of readdirSync(join(repo, 'services'))) {
    // src/: deploy:check derives which images carry the media tools from what the code calls.
    for (const file of ['package.json', 'Dockerfile', 'src']) {
      if (existsSync(join(repo, 'services', service, file))) cpSync(join(repo, 'services', service, file), join(to, 'services', service, file), { recursive: true });
    }
  }
  // deploy:check's helm, kubectl-validate, deploy-lint and CRDs: the repository's, built once.
  mkdirSync(join(repo, '.tools'), { recursive: true });
  symlinkSync(join(repo, '.tools'), join(to, '.tools'));
}

function run(root: string, script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8', timeout: 900_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('npm run new:service', () => {
  let root: string;
  let generated: ReturnType<typeof run>;
  const before = {
    index: read(repo, 'shared/contracts/src/index.ts'),
    protoPath: read(repo, 'shared/contracts/src/proto-path.ts'),
    fleet: read(repo, 'fleet.json'),
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'new-service-'));
    copyRepository(root);
    generated = run(root, 'new-service.mjs', NAME, '--no-install');
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('writes the skeleton: sources, tests, proto files, package.json, Dockerfile', () => {
    expect(generated.out).toContain(`service ${NAME}`);
    expect(generated.code).toBe(0);
    for (const file of [
      'package.json',
      'tsconfig.json',
      'test/tsconfig.json',
      'Dockerfile',
      'migrations/index.ts',
      'src/domain/repositories.ts',
      'src/domain/index.ts',
      'src/application/index.ts',
      'src/application/ports/unit-of-work.ts',
      'src/application/queries/ping.ts',
      'src/infrastructure/persistence/entities.ts',
      'src/infrastructure/persistence/unit-of-work.ts',
      `src/interface/${NAME}.grpc-controller.ts`,
      `src/${NAME}.module.ts`,
      'src/app.ts',
      'src/main.ts',
      'src/migrate.ts',
      'src/config.ts',
      'test/unit/ping.test.ts',
    ]) {
      expect(existsSync(join(root, 'services', NAME, file))).toBe(true);
    }
    expect(readdirSync(join(root, 'services', NAME, 'migrations')).filter((f) => /^\d+-shelf-schema\.ts$/.test(f))).toHaveLength(1);
    expect(JSON.parse(read(root, `services/${NAME}/package.json`))).toMatchObject({ name: '@storytelling/shelf', main: './dist/src/main.js', dependencies: { '@storytelling/platform': 'workspace:*' } });
    expect(read(root, `services/${NAME}/src/${NAME}.module.ts`)).toContain('ServiceModule.forService({');
    expect(read(root, `proto/storytelling/${NAME}/v1/${NAME}_service.proto`)).toMatch(/service ShelfService \{\s+\/\/[^\n]*\n\s+rpc Ping\(PingRequest\) returns \(PingResponse\);/);
    expect(read(root, `proto/storytelling/${NAME}/v1/events.proto`)).toContain('option (storytelling.common.v1.event) = {');
  });

  it('wires it: fleet.json with the next port pair, tsconfig, contracts, compose, helm, k8s/, skaffold', () => {
    const fleet = JSON.parse(read(root, 'fleet.json')) as { services: Array<{ name: string; httpPort: number; grpcPort: number | null }> };
    const existing = (JSON.parse(before.fleet) as typeof fleet).services;
    const n = Math.max(...existing.map((s) => s.httpPort - 7100).filter((x) => x > 0 && x < 100)) + 1;
    expect(fleet.services.find((s) => s.name === NAME)).toEqual({ name: NAME, schema: NAME, httpPort: 7100 + n, grpcPort: 7200 + n });
    expect(JSON.parse(read(root, 'tsconfig.json')).references).toContainEqual({ path: `services/${NAME}` });
    expect(read(root, 'shared/contracts/src/index.ts')).toContain(`export * as ${NAME} from './gen/storytelling/${NAME}/v1/${NAME}_service.js';`);
    expect(read(root, 'shared/contracts/src/index.ts')).toContain(`export * as ${NAME}Events from './gen/storytelling/${NAME}/v1/events.messages.js';`);
    expect(read(root, 'shared/contracts/src/proto-path.ts')).toContain(`${NAME}: {\n    package: 'storytelling.${NAME}.v1',\n    service: 'ShelfService',`);
    const compose = read(root, 'docker-compose.yaml');
    for (const line of [`x-${NAME}-env: &${NAME}-env`, `  ${NAME}-migrate:`, `  ${NAME}:`, `      - "${7100 + n}:${7100 + n}"`, `CREATE ROLE ${NAME} LOGIN`, `CREATE SCHEMA ${NAME} AUTHORIZATION ${NAME};`]) {
      expect(compose).toContain(line);
    }
    expect(read(root, 'helm/storytelling/values.yaml')).toMatch(new RegExp(`^  ${NAME}:\\n    enabled: true\\n[\\s\\S]*?      http: ${7100 + n}\\n      grpc: ${7200 + n}\\n`, 'm'));
    expect(read(root, 'k8s/postgres.yaml')).toContain(`name: storytelling-db-${NAME}`);
    expect(read(root, 'k8s/secrets.example.yaml')).toContain(`name: storytelling-db-${NAME}`);
    expect(read(root, 'k8s/kafka.yaml')).toContain(`topicName: dlq.${NAME}`);
    expect(read(root, 'skaffold.yaml')).toContain(`dockerfile: services/${NAME}/Dockerfile`);
    expect(read(root, 'skaffold.yaml')).toContain(`services.${NAME}.image.tag: "{{.IMAGE_TAG_storytelling_${NAME}}}"`);
  });

  it('passes check:layout', () => {
    const layout = run(root, 'check-layout.mjs', NAME);
    expect(layout.out).toContain('check:layout: ok');
    expect(layout.code).toBe(0);
  });

  it('passes deploy:check: Dockerfile, compose, helm chart, k8s/ and skaffold with the new service', () => {
    const check = run(root, 'deploy-check.mjs', '--no-self-test');
    expect(check.out).toContain('deploy:check OK');
    expect(check.code).toBe(0);
  }, 900_000);

  it('refuses an existing name, an invalid one and a reserved one, and writes nothing then', () => {
    const fleetAfter = read(root, 'fleet.json');
    for (const [name, why] of [
      [NAME, 'already exists'],
      ['story', 'already exists'],
      ['Shelf', 'invalid service name'],
      ['book-shelf', 'invalid service name'],
      ['gateway', 'reserved'],
    ] as const) {
      const r = run(root, 'new-service.mjs', name, '--no-install');
      expect(r.out).toContain(why);
      expect(r.code).toBe(1);
    }
    expect(read(root, 'fleet.json')).toBe(fleetAfter);
  });

  it('leaves the repository itself alone', () => {
    expect(read(repo, 'shared/contracts/src/index.ts')).toBe(before.index);
    expect(read(repo, 'shared/contracts/src/proto-path.ts')).toBe(before.protoPath);
    expect(read(repo, 'fleet.json')).toBe(before.fleet);
    expect(existsSync(join(repo, 'services', NAME))).toBe(false);
  });
});
