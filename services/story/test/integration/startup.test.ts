import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '@storytelling/testing';
import { createStoryApp } from '../../src/app.js';
import { as, registerUser, startStack, type RunningStack } from '../support/app-harness.js';

const LITTLE_RED_CAP = readFileSync(fileURLToPath(new URL('../fixtures/analysis/little-red-cap.txt', import.meta.url)), 'utf8');

describe('story start-up', () => {
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await startStack('boot', { realAnalyser: true, storyEnv: { STORY_ANALYSIS_TIMEOUT_MS: '20000', STORY_ANALYSIS_LEASE_MS: '30000' } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('serves /health and /ready (database; the Kafka consumers as an optional check) on its HTTP port', async () => {
    expect((await fetch(`${stack.story.httpUrl}/health`)).status).toBe(200);
    const ready = await fetch(`${stack.story.httpUrl}/ready`);
    expect(ready.status).toBe(200);
    // The consumers are reported but do not gate readiness (ADR 0027); the harness waited for them.
    expect(((await ready.json()) as { checks: unknown }).checks).toEqual({
      database: { ok: true },
      consumers: { ok: true, optional: true },
    });
  });

  it('analyses with the adapter STORY_ANALYSER selects (local by default), end to end', async () => {
    const author = await registerUser(stack, 'Grimm');
    const { story } = await stack.client.createStory({ title: 'Little Red-Cap', content: LITTLE_RED_CAP }, as(author));
    await stack.client.requestAnalysis({ storyId: story!.id }, as(author));
    const analysis = await waitUntil(async () => {
      const { analysis: a } = await stack.client.getAnalysis({ storyId: story!.id }, as(author));
      return a!.status === 'analyzed' || a!.status === 'failed' ? a : undefined;
    }, 30_000);
    expect(analysis).toMatchObject({ status: 'analyzed', contentHash: story!.contentHash });
    expect(analysis!.characters.length).toBeGreaterThan(0);
    expect(analysis!.emotions.length).toBeGreaterThan(0);
    const stored: Array<{ analyser: string }> = await stack.ds.query(`SELECT DISTINCT analyser FROM story_analyses WHERE story_id = $1`, [story!.id]);
    expect(stored).toEqual([{ analyser: 'local' }]);
    const metrics = await (await fetch(`${stack.story.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/job_duration_seconds_count\{queue="analysis",outcome="analyzed"\} [1-9]/);
    expect(metrics).toMatch(/job_queue_depth\{queue="analysis",state="due"\} 0/);
  });

  it('refuses to start with an invalid configuration, naming every problem', async () => {
    const base = { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: 'postgres://story:x@127.0.0.1:1/none', KAFKA_BROKERS: '127.0.0.1:1' };
    await expect(createStoryApp({ ...base, STORY_ANALYSIS_WORKERS: 'many', STORY_ANALYSER: 'someday' }, { shutdownHooks: false })).rejects.toThrow(
      /STORY_ANALYSIS_WORKERS[\s\S]*STORY_ANALYSER|STORY_ANALYSER[\s\S]*STORY_ANALYSIS_WORKERS/,
    );
    await expect(createStoryApp({ ...base, STORY_ANALYSER: 'llm' }, { shutdownHooks: false })).rejects.toThrow(/STORY_LLM_BASE_URL[\s\S]*STORY_LLM_MODEL/);
  });
});
