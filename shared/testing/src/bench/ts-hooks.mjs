// Node module hooks that run the workspace's TypeScript sources directly (swc, same options as
// jest.config.js), so the benchmark and test child processes never depend on a stale dist/.
//   node --import ./shared/testing/src/bench/register-ts.mjs some-file.ts
// Resolution: `@storytelling/<pkg>` -> shared/<pkg>/src/index.ts, and a relative `./x.js` that
// does not exist -> `./x.ts`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const swc = createRequire(path.join(root, 'package.json'))('@swc/core');

const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export async function resolve(specifier, context, nextResolve) {
  const pkg = /^@storytelling\/([a-z-]+)(?:\/(.+)\.js)?$/.exec(specifier);
  if (pkg) {
    const file = pkg[2]
      ? path.join(root, 'shared', pkg[1], 'src', `${pkg[2]}.ts`)
      : path.join(root, 'shared', pkg[1], 'src', 'index.ts');
    if (existsSync(file)) return { url: pathToFileURL(file).href, shortCircuit: true };
  }
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const candidate = new URL(specifier, context.parentURL);
    const asFile = fileURLToPath(candidate);
    if (!existsSync(asFile)) {
      const ts = asFile.slice(0, -3) + '.ts';
      if (existsSync(ts)) return { url: pathToFileURL(ts).href, shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const filename = fileURLToPath(url);
    const source = await readFile(filename, 'utf8');
    const { code } = await swc.transform(source, { ...SWC_OPTIONS, filename });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
