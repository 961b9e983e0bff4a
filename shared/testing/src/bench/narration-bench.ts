// npm run bench:narration — narration speed and memory, measured in one run on one machine:
//   service: a ~1,000-word analysed story narrated through the public API (gateway → narration,
//            the leased job worker, the local engine, storage, the whole file joined) with the
//            stock voice; wall time from POST /stories/:id/narrations to status completed.
//   bare:    the same segment texts given to the bare engine (PiperSynthesiser, one call per
//            segment, in order) in the same run.
// Real-time factor = seconds of audio / seconds of wall time. ratio = service RTF / bare RTF
// (goal ≥ 0.8). Peak RSS of the narration process (VmHWM, goal ≤ 300 MB) and of its largest child.
// identity, subscription, story, narration and gateway run as real processes (compiled dist/).
// The last line printed is one JSON object {serviceRtf, bareRtf, ratio, peakRssMb, audioSeconds}.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PiperSynthesiser, locateMediaTools, probeAudio } from '@storytelling/platform';
import { adminUrl, dropDatabase, ensureDatabase, provisionServices } from '../../../../scripts/lib/provisioning.mjs';
import { newRunId, TEST_ENV_VARIABLE, topicPrefixFor } from '../../../../scripts/lib/test-run.mjs';

export interface NarrationBenchOptions {
  brokers: string[];
  databaseName: string;
  /** Words of the story (about). */
  words: number;
  /** How long the narration may take (ms). */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface NarrationBenchResult {
  serviceRtf: number;
  bareRtf: number;
  ratio: number;
  peakRssMb: number;
  audioSeconds: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Peak resident set (VmHWM) of a process and the largest of its live children, in MB. */
function peakRss(pid: number): { self: number; child: number } {
  const hwm = (p: number): number => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let child = 0;
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) child = Math.max(child, hwm(Number(c)));
  } catch {
    // no children file (non-Linux)
  }
  return { self: hwm(pid), child };
}

/** A story of about `words` words: sentences with characters, feelings and a little dialogue. */
export function benchStory(words: number): string {
  const sentences = [
    'Mira kept the lighthouse on the black rocks at the edge of the bay.',
    'Every evening she climbed the hundred steps and lit the great lamp.',
    'The storm came at night, and Mira was afraid of the roaring water.',
    '"Will the light hold?" her little brother Tomas asked, holding her hand.',
    'She smiled at him with a warmth she did not quite feel.',
    'Far out at sea, a fishing boat turned towards the light, and hope rose in her chest.',
    'The wind howled with anger against the glass, but the flame did not flicker.',
    'By morning the sea was calm, and the fishermen came to thank her with joy.',
  ];
  const out: string[] = [];
  let count = 0;
  for (let i = 0; count < words; i++) {
    const s = sentences[i % sentences.length]!;
    out.push(s);
    count += s.split(/\s+/).length;
    if (i % 8 === 7) out.push('\n\n');
  }
  return out.join(' ').replace(/ \n\n /g, '\n\n');
}

export async function runNarrationBench(options: NarrationBenchOptions): Promise<{ result: NarrationBenchResult; details: Record<string, unknown> }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { databaseName } = options;
  await dropDatabase(databaseName, { force: true });
  await ensureDatabase(databaseName);
  await provisionServices(databaseName, ['identity', 'subscription', 'story', 'narration'].map((name) => ({ name, schema: name })));
  const runId = newRunId();
  process.env[TEST_ENV_VARIABLE] = JSON.stringify({ runId, databaseName, adminUrl: adminUrl(databaseName), brokers: options.brokers, topicPrefix: topicPrefixFor(runId) });
  const objects = mkdtempSync(join(os.tmpdir(), 'bench-narration-objects-'));
  const { startFleetProcesses } = await import('../fleet-processes.js');
  log(`bench:narration: starting identity, subscription, story, narration, gateway on ${databaseName}, run ${runId}`);
  const fleet = await startFleetProcesses({
    isolated: false, // the bench's run is its own scratch database already
    services: ['identity', 'subscription', 'story', 'narration', 'gateway'],
    env: { LOG_LEVEL: 'warn', OBJECT_STORAGE: 'fs', OBJECT_STORAGE_DIR: objects },
    serviceOverrides: { gateway: { RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_AUTH_PER_MINUTE: '1000' } },
    readyTimeoutMs: 120_000,
  });
  try {
    const api = `${fleet.gatewayUrl!}/api/v1`;
    const registered = await call(`${api}/auth/register`, {
      method: 'POST',
      body: JSON.stringify({ email: `bench.${runId}@example.com`, password: 'bench password 1234', displayName: 'Bench Author' }),
    });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    const auth = { authorization: `Bearer ${String(registered.body.accessToken)}` };
    await until('the free subscription', 30_000, async () => ((await call(`${api}/subscription`, { headers: auth })).status === 200 ? true : undefined));
    const content = benchStory(options.words);
    const created = await call(`${api}/stories`, { method: 'POST', headers: auth, body: JSON.stringify({ title: 'The Lighthouse', content }) });
    if (created.status !== 201) throw new Error(`create story answered ${created.status}: ${JSON.stringify(created.body)}`);
    const storyId = String(created.body.id);
    await call(`${api}/stories/${storyId}/analysis`, { method: 'POST', headers: auth });
    await until('the analysis', 120_000, async () => {
      const a = await call(`${api}/stories/${storyId}/analysis`, { headers: auth });
      if (a.body.status === 'failed') throw new Error(`the analysis failed: ${JSON.stringify(a.body).slice(0, 300)}`);
      return a.status === 200 && a.body.status === 'analyzed' ? true : undefined;
    });
    const voices = await call(`${api}/voices`, { headers: auth });
    const stock = (voices.body.items as Array<{ id: string; trainingStatus: string }> | undefined)?.find((v) => v.trainingStatus === 'ready');
    if (!stock) throw new Error(`no ready voice in GET /voices: ${JSON.stringify(voices.body).slice(0, 300)}`);

    const narrationPid = fleet.services.narration!.pid;
    const started = performance.now();
    const requested = await call(`${api}/stories/${storyId}/narrations`, { method: 'POST', headers: auth, body: JSON.stringify({ voiceId: stock.id }) });
    if (requested.status !== 202) throw new Error(`request narration answered ${requested.status}: ${JSON.stringify(requested.body)}`);
    const narrationId = String(requested.body.id);
    const done = await until('the narration', options.timeoutMs, async () => {
      const n = await call(`${api}/narrations/${narrationId}`, { headers: auth });
      if (n.body.status === 'failed') throw new Error(`the narration failed: ${JSON.stringify(n.body).slice(0, 500)}`);
      return n.body.status === 'completed' ? n.body : undefined;
    });
    const serviceSeconds = (performance.now() - started) / 1000;
    const rss = peakRss(narrationPid);
    const segments = done.segments as Array<{ text: string; durationSeconds: number }>;
    const audioSeconds = segments.reduce((sum, s) => sum + s.durationSeconds, 0);
    log(`service: ${segments.length} segments, ${audioSeconds.toFixed(1)} s of audio in ${serviceSeconds.toFixed(1)} s; narration peak RSS ${rss.self.toFixed(0)} MB (largest child ${rss.child.toFixed(0)} MB)`);

    // The bare engine on the same texts, one call per segment, in order.
    const tools = locateMediaTools({ toolsDir: join(process.cwd(), '.tools') });
    if (!tools.piper || !tools.piperVoice) throw new Error('Piper is not installed (npm run bootstrap)');
    const piper = new PiperSynthesiser({ piper: tools.piper, voice: tools.piperVoice });
    const scratch = mkdtempSync(join(os.tmpdir(), 'bench-narration-bare-'));
    let bareAudio = 0;
    const bareStarted = performance.now();
    for (const [i, s] of segments.entries()) {
      const file = join(scratch, `${i}.wav`);
      await piper.synthesise(s.text, file);
      bareAudio += (await probeAudio(file)).durationSec;
    }
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    rmSync(scratch, { recursive: true, force: true });
    log(`bare engine: ${bareAudio.toFixed(1)} s of audio in ${bareSeconds.toFixed(1)} s`);

    const serviceRtf = audioSeconds / serviceSeconds;
    const bareRtf = bareAudio / bareSeconds;
    const result: NarrationBenchResult = {
      serviceRtf: Number(serviceRtf.toFixed(3)),
      bareRtf: Number(bareRtf.toFixed(3)),
      ratio: Number((serviceRtf / bareRtf).toFixed(3)),
      peakRssMb: Math.round(rss.self),
      audioSeconds: Number(audioSeconds.toFixed(1)),
    };
    const details = {
      machine: { cpus: os.cpus().length, node: process.version, loadAverage1m: os.loadavg()[0] },
      words: content.split(/\s+/).length,
      segments: segments.length,
      serviceSeconds,
      bareSeconds,
      bareAudio,
      largestChildRssMb: Math.round(rss.child),
    };
    return { result, details };
  } finally {
    await fleet.stop();
    rmSync(objects, { recursive: true, force: true });
  }
}
