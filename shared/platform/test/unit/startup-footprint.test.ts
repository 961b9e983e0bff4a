// What importing the platform loads: every service process (and every migration) imports it at
// start, so a library that only one mode needs must not come with it (docs/benchmarks.md,
// "Cold start and footprint"). Checked in a fresh Node process, from the TypeScript sources.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const registerTs = path.resolve(here, '../../../testing/src/bench/register-ts.mjs');
const platformIndex = path.resolve(here, '../../src/index.ts');

/** The npm packages (CommonJS, which is what these libraries are) loaded by `import '@storytelling/platform'` alone. */
function packagesLoadedByImport(env: NodeJS.ProcessEnv): Set<string> {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(platformIndex)});
    const names = new Set();
    for (const file of Object.keys(createRequire(import.meta.url)('module')._cache)) {
      const m = /node_modules\\/(?:\\.pnpm\\/[^/]+\\/node_modules\\/)?((?:@[^/]+\\/)?[^/]+)/.exec(file);
      if (m) names.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const result = spawnSync(process.execPath, ['--import', registerTs, '--input-type=module', '-e', script], {
    cwd: path.resolve(here, '../..'),
    env,
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (result.status !== 0) throw new Error(`import of the platform failed (${result.status}): ${result.stderr}`);
  return new Set(JSON.parse(result.stdout) as string[]);
}

describe('importing the platform', () => {
  it('loads neither the S3 SDK (OBJECT_STORAGE=s3 only), nor the OpenTelemetry SDK (tracing off), nor Express (services load it to serve; the gateway runs on Fastify)', () => {
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _a, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: _b, OTEL_TRACES_EXPORTER: _c, ...env } = process.env;
    const loaded = packagesLoadedByImport(env);
    // The import did run: the libraries every service needs are there.
    expect(loaded.has('typeorm')).toBe(true);
    expect(loaded.has('kafkajs')).toBe(true);
    expect([...loaded].filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'))).toEqual([]);
    expect([...loaded].filter((name) => name.startsWith('@opentelemetry/sdk-'))).toEqual([]);
    expect([...loaded].filter((name) => name === 'express' || name === '@nestjs/platform-express')).toEqual([]);
  }, 120_000);
});
