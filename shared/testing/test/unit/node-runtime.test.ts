import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { majorOf, PINNED_MAJOR, PINNED_NODE, planRuntime, REEXEC_MARKER } from '../../../../scripts/lib/node-runtime.mjs';

const linux = { platform: 'linux', arch: 'x64', execPath: '/usr/bin/node' };
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

describe('the project Node runtime (scripts/lib/node-runtime.mjs)', () => {
  it('is the production images\' major: every services/*/Dockerfile ARG NODE_IMAGE', () => {
    const services = readdirSync(join(repoRoot, 'services'));
    const images = services.map((name) => /^ARG NODE_IMAGE=node:(\d+)[.\-]/m.exec(readFileSync(join(repoRoot, 'services', name, 'Dockerfile'), 'utf8'))?.[1]);
    expect(images).toEqual(services.map(() => String(PINNED_MAJOR)));
    expect(majorOf(PINNED_NODE.version)).toBe(PINNED_MAJOR);
  });

  it("type-checks against the same major's API: @types/node", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(majorOf(pkg.devDependencies['@types/node']!)).toBe(PINNED_MAJOR);
  });

  it('re-executes under the pinned binary when the launching node is another major', () => {
    expect(planRuntime({ ...linux, env: {}, version: '20.20.2' })).toEqual({ kind: 'pinned' });
    expect(planRuntime({ ...linux, env: { NODE_RUNTIME: 'pinned' }, version: '22.1.0' })).toEqual({ kind: 'pinned' });
  });

  it('stays on a node of the same major, whatever its minor', () => {
    expect(planRuntime({ ...linux, env: {}, version: `${PINNED_MAJOR}.0.0` }).kind).toBe('stay');
  });

  it('never re-executes twice (loop guard), and says so when the re-executed node is still another major', () => {
    const env = { [REEXEC_MARKER]: '/x/bin/node' };
    expect(planRuntime({ ...linux, env, version: PINNED_NODE.version }).kind).toBe('stay');
    const plan = planRuntime({ ...linux, env, version: '20.20.2' });
    expect(plan.kind).toBe('unsupported');
  });

  it('keeps the launching node with NODE_RUNTIME=system, and uses NODE_RUNTIME=<path> as given', () => {
    expect(planRuntime({ ...linux, env: { NODE_RUNTIME: 'system' }, version: '20.20.2' }).kind).toBe('stay');
    expect(planRuntime({ ...linux, env: { NODE_RUNTIME: '/opt/node24/bin/node' }, version: '20.20.2' })).toEqual({ kind: 'binary', path: '/opt/node24/bin/node' });
    expect(planRuntime({ ...linux, env: { NODE_RUNTIME: '/usr/bin/node' }, version: '20.20.2' }).kind).toBe('stay');
    expect(planRuntime({ ...linux, env: { NODE_RUNTIME: '24' }, version: '20.20.2' }).kind).toBe('unsupported');
  });

  it('on a machine the pinned binary is not published for, explains and names the opt-out', () => {
    const plan = planRuntime({ env: {}, version: '20.20.2', platform: 'darwin', arch: 'arm64', execPath: '/usr/local/bin/node' });
    expect(plan).toMatchObject({ kind: 'unsupported' });
    expect(plan.kind === 'unsupported' && `${plan.message} ${plan.hint}`).toMatch(/darwin-arm64[\s\S]*NODE_RUNTIME=system/);
    expect(planRuntime({ env: {}, version: `${PINNED_MAJOR}.3.1`, platform: 'darwin', arch: 'arm64', execPath: '/usr/local/bin/node' }).kind).toBe('stay');
  });

  describe('re-execution (a stand-in "node" given by NODE_RUNTIME records how it was started)', () => {
    let dir: string;
    let fakeNode: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'node-runtime-'));
      fakeNode = join(dir, 'node');
      // Prints what it got; with "wait" it waits for SIGTERM and exits 7, else exits 5.
      writeFileSync(fakeNode, [
        '#!/bin/sh',
        'echo "argv:$*"',
        `echo "marker:$${REEXEC_MARKER}"`,
        'echo "path0:${PATH%%:*}"',
        'case "$*" in *wait*) trap \'echo got-term; exit 7\' TERM; echo ready; while :; do sleep 0.05; done;; esac',
        'exit 5',
      ].join('\n'));
      chmodSync(fakeNode, 0o755);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('runs the same script with the same arguments under the binary, once, and exits with its status', () => {
      const script = join(repoRoot, 'scripts', 'jest.mjs');
      const r = spawnSync(process.execPath, [script, '--listTests', 'x y'], { env: { ...process.env, NODE_RUNTIME: fakeNode, [REEXEC_MARKER]: '' }, encoding: 'utf8' });
      expect(r.stdout.split('\n')).toEqual(expect.arrayContaining([`argv:${script} --listTests x y`, `marker:${fakeNode}`, `path0:${dir}`]));
      expect(r.status).toBe(5);
    });

    it('passes SIGTERM on to the re-executed script and exits with its status', async () => {
      const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'jest.mjs'), 'wait'], { env: { ...process.env, NODE_RUNTIME: fakeNode, [REEXEC_MARKER]: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      }));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(7);
      expect(out).toContain('got-term');
    });
  });
});
