// story's start must not load `compromise` (0.5 CPU s and ~37 MB RSS to load): the local analyser
// imports it on the first English analysis (docs/benchmarks.md, "Cold start and footprint").
// Checked in a fresh Node process, from the TypeScript sources: a resolve hook records every
// module URL the ESM loader resolves (compromise is an ES module, so it never shows in require's cache).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const storyRoot = path.resolve(here, '../../..');
const registerTs = path.resolve(storyRoot, '../../shared/testing/src/bench/register-ts.mjs');
const appModule = path.resolve(storyRoot, 'src/app.ts');
const analyserModule = path.resolve(storyRoot, 'src/infrastructure/analysis/local-story-analyser.ts');

const recorder = `
  import { appendFileSync } from 'node:fs';
  let file;
  export function initialize(data) { file = data.file; }
  export async function resolve(specifier, context, next) {
    const result = await next(specifier, context);
    appendFileSync(file, result.url + '\\n');
    return result;
  }
`;

/** Runs `body` (an ES module snippet) after importing story's app module; returns every URL resolved. */
function resolvedUrls(body: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'story-footprint-'));
  const file = path.join(dir, 'resolved.txt');
  try {
    const script = `
      import { register } from 'node:module';
      register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(recorder)}`)}, { data: { file: ${JSON.stringify(file)} } });
      await import(${JSON.stringify(pathToFileURL(appModule).href)});
      ${body}
    `;
    const result = spawnSync(process.execPath, ['--import', registerTs, '--input-type=module', '-e', script], {
      cwd: storyRoot,
      env: process.env,
      encoding: 'utf8',
      timeout: 90_000,
    });
    if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isCompromise = (url: string): boolean => /\/node_modules\/compromise\//.test(url);

describe("story's start and compromise", () => {
  it('importing the app module (and the local analyser with it) does not load compromise', () => {
    const urls = resolvedUrls('');
    // The import did run: the analyser's module is among what was loaded.
    expect(urls).toContain(pathToFileURL(analyserModule).href);
    expect(urls.filter(isCompromise).slice(0, 3)).toEqual([]);
  }, 120_000);

  it('the first English analysis loads it', () => {
    const urls = resolvedUrls(`
      const { LocalStoryAnalyser } = await import(${JSON.stringify(pathToFileURL(analyserModule).href)});
      const result = await new LocalStoryAnalyser().analyse({ title: 'T', language: 'en', content: 'Alice walked to the market. Alice smiled at Bob. Bob was afraid.' });
      if (!Array.isArray(result.characters)) throw new Error('no result');
    `);
    expect(urls.filter(isCompromise).length).toBeGreaterThan(0);
  }, 120_000);
});
