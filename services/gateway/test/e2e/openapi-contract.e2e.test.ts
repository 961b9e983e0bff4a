/**
 * The gateway's OpenAPI document against the running fleet (issue 12, item 8): schemathesis
 * (installed by bootstrap, scripts/lib/schemathesis.mjs) generates valid and invalid requests for
 * every operation of /openapi.json, bounded per operation, as a registered user, and checks that no
 * answer is a 5xx and that every answer is one the document declares (status, content type, headers,
 * body schema), and that a protected operation refuses a request without the token (ignored_auth).
 * Its failures are printed with the test's failure.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleetProcesses, waitUntil, type FleetProcesses } from '@storytelling/testing';
import { readSchemathesisManifest } from '../../../../scripts/lib/schemathesis.mjs';

/** Examples per operation: enough to cover each schema's branches, small enough for npm test. */
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 20);
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'ignored_auth',
  'allow_header_conformance',
  // A method a path does not serve is 405 + Allow, whatever body comes with it.
  'unsupported_method',
];

interface Outcome {
  code: number;
  output: string;
  ms: number;
}

function runSchemathesis(cli: string, args: string[]): Promise<Outcome> {
  const started = Date.now();
  // schemathesis keeps a cache (.schemathesis/) in its working directory: a temporary one, not the repository.
  const cwd = mkdtempSync(join(tmpdir(), 'schemathesis-'));
  return new Promise<Outcome>((resolve, reject) => {
    const child = spawn(cli, args, { cwd, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, output, ms: Date.now() - started }));
  }).finally(() => rmSync(cwd, { recursive: true, force: true }));
}

describe('the OpenAPI document is exact: schemathesis against the fleet', () => {
  let fleet: FleetProcesses;
  let gateway: string;
  let token: string;

  beforeAll(async () => {
    fleet = await startFleetProcesses({
      env: { LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '1000000' },
      serviceOverrides: {
        // Hundreds of registrations and logins: the cheapest argon2id identity accepts, and a
        // deadline a busy 2-core machine meets, so a 503 here means a fault, not a slow CI.
        identity: { ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' },
        gateway: { GRPC_DEADLINE_MS: '30000' },
      },
      readyTimeoutMs: 90_000,
    });
    gateway = fleet.gatewayUrl!;
    const registered = await fetch(`${gateway}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `contract.${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery', displayName: 'Contract' }),
    });
    expect(registered.status).toBe(201);
    token = ((await registered.json()) as { accessToken: string }).accessToken;
    // The user's free subscription, so the operations past authentication have something to act on.
    await waitUntil(async () => (await fetch(`${gateway}/api/v1/subscription`, { headers: { authorization: `Bearer ${token}` } })).status === 200, 30_000);
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it(`no 5xx and no answer the document does not declare (${MAX_EXAMPLES} examples per operation)`, async () => {
    const manifest = readSchemathesisManifest();
    if (!manifest) throw new Error('schemathesis is not installed: run `npm run bootstrap` (scripts/lib/schemathesis.mjs)');
    const outcome = await runSchemathesis(manifest.cli, [
      'run', `${gateway}/openapi.json`,
      '--header', `Authorization: Bearer ${token}`,
      '--checks', CHECKS.join(','),
      '--max-examples', String(MAX_EXAMPLES),
      '--phases', 'examples,coverage,fuzzing',
      '--seed', process.env.SCHEMATHESIS_SEED ?? '1',
      // One worker: hypothesis describing filter lambdas from two threads at once trips CPython
      // 3.11's "AST constructor recursion depth mismatch" (seen here), an error of the tool, not the API.
      '--workers', '1',
      '--request-timeout', '10',
      '--no-shrink',
      '--suppress-health-check', 'all',
    ]);
    const summary = outcome.output.split('\n').slice(-40).join('\n');
    process.stdout.write(`schemathesis finished in ${outcome.ms} ms (exit ${outcome.code})\n${summary}\n`);
    if (outcome.code !== 0) {
      throw new Error(`schemathesis found failures (exit ${outcome.code}):\n${outcome.output.slice(-60_000)}`);
    }
  }, 600_000);
});
