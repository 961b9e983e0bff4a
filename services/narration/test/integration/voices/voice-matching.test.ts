// Voice matching with real audio: samples of "another speaker" (Piper's speech shifted an octave
// up by ffmpeg, far from the stock engine's ~93 Hz) are normalised and measured as training does,
// the profile is matched from them, and the speech engine's output moves toward its F0 median.
import { join } from 'node:path';
import { FilesystemObjectStorage, isSilent, measureSignal, pitchOf, probeAudio } from '@storytelling/platform';
import type { SpeechEngine, SpeechRequest } from '../../../src/application/index.js';
import { matchVoice, type Emotion, type SampleMeasurement, type VoiceProfile } from '../../../src/domain/index.js';
import { StorageMediaFiles } from '../../../src/infrastructure/media/storage-media-files.js';
import { createSpeechEngine } from '../../../src/infrastructure/speech/index.js';
import { SAMPLE_LINES, audioTools, speakerSample, tools, voiceScratch } from '../../support/voice-audio.js';

const { dir, cleanup } = voiceScratch('matching');
const media = new StorageMediaFiles(new FilesystemObjectStorage(join(dir, 'objects')), audioTools);
const EMOTIONS: Emotion[] = ['joy', 'sadness', 'anger', 'fear', 'neutral'];
const TEXT = 'Mira kept the lighthouse on the rocky point, and the light held until dawn.';

let profile: VoiceProfile;
let measurements: SampleMeasurement[];
const facts: Record<string, number> = {};

const request = (overrides: Partial<SpeechRequest> = {}): SpeechRequest => ({
  text: TEXT,
  emotion: 'neutral',
  narratorProfile: 'neutral',
  conversationStyle: 'respectful',
  voice: { provider: 'local' },
  ...overrides,
});

async function say(engine: SpeechEngine, file: string, req: SpeechRequest): Promise<{ f0: number; seconds: number }> {
  const path = join(dir, file);
  const result = await engine.synthesise(req, path);
  const info = await probeAudio(path, audioTools);
  expect(info).toMatchObject({ container: 'ogg', codec: 'opus', sampleRate: 48000, channels: 1 });
  expect(result.durationSeconds).toBe(info.durationSec);
  expect(isSilent(await measureSignal(path, audioTools))).toBe(false);
  return { f0: (await pitchOf(path, audioTools)).f0MedianHz, seconds: result.durationSeconds };
}

beforeAll(async () => {
  // Training's measurements, on the normalised samples (what AddSample stores).
  measurements = [];
  for (const emotion of EMOTIONS) {
    const raw = await speakerSample(dir, `${emotion}.wav`, SAMPLE_LINES[emotion]!, 12);
    const normalised = join(dir, `${emotion}.ogg`);
    const { durationSeconds } = await media.normalise(raw, normalised);
    const pitch = await media.pitch(normalised);
    if (!pitch) throw new Error(`no pitch in the ${emotion} sample`);
    measurements.push({ sampleId: emotion, emotion, ...pitch, durationSeconds, characters: SAMPLE_LINES[emotion]!.length });
  }
  profile = matchVoice(measurements);
}, 180_000);

afterAll(() => {
  cleanup();
  // The measured facts of this run, for the record (docs/narration.md quotes them).
  console.info(`voice matching: ${JSON.stringify({ profile, ...facts })}`);
});

describe('voice matching (real audio)', () => {
  it("the profile sits about an octave above the stock engine's voice, with a pace", () => {
    expect(profile.f0MedianHz).toBeGreaterThan(150);
    expect(profile.f0MedianHz).toBeLessThan(240);
    expect(profile.f0MinHz).toBeLessThanOrEqual(profile.f0MedianHz);
    expect(profile.f0MaxHz).toBeGreaterThanOrEqual(profile.f0MedianHz);
    expect(profile.charsPerSecond).toBeGreaterThan(8);
    expect(profile.charsPerSecond).toBeLessThan(30);
  });

  it("Piper's output moves onto the profile's F0 median: far without the profile, close with it", async () => {
    const engine = createSpeechEngine({ engine: 'piper', tools });
    expect(engine.name).toMatch(/^piper:/);
    const stock = await say(engine, 'stock.ogg', request());
    const matched = await say(engine, 'matched.ogg', request({ voice: { provider: 'local', profile } }));
    facts.piperStockF0 = stock.f0;
    facts.piperMatchedF0 = matched.f0;
    facts.piperStockSeconds = stock.seconds;
    facts.piperMatchedSeconds = matched.seconds;
    // Piper is stochastic and pitchOf finds few voiced frames in it: a single measurement varies by ±15 %.
    expect(stock.f0 / profile.f0MedianHz).toBeLessThan(0.7);
    expect(Math.abs(matched.f0 - profile.f0MedianHz)).toBeLessThan(Math.abs(stock.f0 - profile.f0MedianHz) / 2);
    expect(Math.abs(matched.f0 - profile.f0MedianHz) / profile.f0MedianHz).toBeLessThan(0.25);
  }, 120_000);

  it('emotion shapes the speech: excitement is higher and quicker than sadness', async () => {
    const engine = createSpeechEngine({ engine: 'piper', tools });
    const sad = await say(engine, 'sad.ogg', request({ emotion: 'sadness', narratorProfile: 'storyteller' }));
    const excited = await say(engine, 'excited.ogg', request({ emotion: 'excitement', narratorProfile: 'storyteller' }));
    facts.sadSeconds = sad.seconds;
    facts.excitedSeconds = excited.seconds;
    facts.sadF0 = sad.f0;
    facts.excitedF0 = excited.f0;
    expect(excited.f0).toBeGreaterThan(sad.f0 * 1.1);
    expect(sad.seconds).toBeGreaterThan(excited.seconds * 1.1);
  }, 120_000);

  it('espeak-ng, the fallback, is moved toward the profile as well', async () => {
    const engine = createSpeechEngine({ engine: 'piper', tools: { ...tools, piper: null, piperVoice: null } });
    expect(engine.name).toMatch(/^espeak-ng:/);
    const stock = await say(engine, 'espeak-stock.ogg', request());
    const matched = await say(engine, 'espeak-matched.ogg', request({ voice: { provider: 'local', profile } }));
    facts.espeakStockF0 = stock.f0;
    facts.espeakMatchedF0 = matched.f0;
    expect(Math.abs(matched.f0 - profile.f0MedianHz)).toBeLessThan(Math.abs(stock.f0 - profile.f0MedianHz) / 2);
    expect(Math.abs(matched.f0 - profile.f0MedianHz) / profile.f0MedianHz).toBeLessThan(0.25);
  }, 60_000);
});
