// stdout is written asynchronously (logging/destination.ts); a process that exits right after
// logging must still have written every line. The child runs the built logger (dist/: tsc -b runs
// before the tests), as the services do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logDestination } from '../../src/logging/destination.js';

const loggerModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'logging', 'logger.js')).href;

describe('log destination', () => {
  it('writes stdout asynchronously, and a LOG_FILE synchronously', () => {
    expect((logDestination({}) as unknown as { sync: boolean }).sync).toBe(false);
    const file = join(mkdtempSync(join(tmpdir(), 'log-destination-')), 'test.log');
    expect((logDestination({ LOG_FILE: file }) as unknown as { sync: boolean }).sync).toBe(true);
  });

  it.each([
    ['process.exit', 'process.exit(3)'],
    ['an uncaught exception', "throw new Error('boom')"],
  ])('keeps every line of a process that ends by %s right after logging', (_name, ending) => {
    const lines = 20_000;
    const script = `const { getLogger } = await import(${JSON.stringify(loggerModule)});
const log = getLogger('t');
for (let i = 0; i < ${lines}; i++) log.warn({ i, padding: 'x'.repeat(100) }, 'line');
${ending};`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(child.status).not.toBe(0);
    const seen = child.stdout.split('\n').filter((l) => l.includes('"msg":"line"')).map((l) => (JSON.parse(l) as { i: number }).i);
    expect(seen.length).toBe(lines);
    expect(seen[lines - 1]).toBe(lines - 1);
  });
});
