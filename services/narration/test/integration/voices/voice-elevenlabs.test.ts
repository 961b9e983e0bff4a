// The ElevenLabs cloning adapter and the speech engine's cloned voices, over real HTTP against a
// local server that speaks ElevenLabs' API (test/support/fake-elevenlabs.ts), never the real one.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSilent, measureSignal, normaliseSample, probeAudio } from '@storytelling/platform';
import { VoiceCloningError } from '../../../src/application/index.js';
import { ElevenLabsClient } from '../../../src/infrastructure/cloning/elevenlabs-client.js';
import { ElevenLabsVoiceCloning } from '../../../src/infrastructure/cloning/elevenlabs-voice-cloning.js';
import { createSpeechEngine } from '../../../src/infrastructure/speech/index.js';
import { FakeElevenLabs } from '../../support/fake-elevenlabs.js';
import { audioTools, speech, tools, voiceScratch } from '../../support/voice-audio.js';

const { dir, cleanup } = voiceScratch('elevenlabs');
let fake: FakeElevenLabs;
let samples: Array<{ path: string; contentType: string; emotion: 'joy' | 'sadness' }>;

const client = (apiKey = fake.apiKey) => new ElevenLabsClient({ apiKey, baseUrl: fake.baseUrl, modelId: 'eleven_multilingual_v2', timeoutMs: 10_000 });
const failure = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (err) {
    if (err instanceof VoiceCloningError) return { code: err.code, retryable: err.retryable, message: err.message };
    throw err;
  }
  throw new Error('expected a failure');
};

beforeAll(async () => {
  fake = await new FakeElevenLabs().start();
  // Two normalised samples, as training hands them over (Opus in Ogg).
  samples = [];
  for (const [emotion, text] of [
    ['joy', 'What a wonderful morning.'],
    ['sadness', 'He missed his friend every night.'],
  ] as const) {
    const raw = await speech(dir, `${emotion}.wav`, text);
    const path = join(dir, `${emotion}.ogg`);
    await normaliseSample(raw, path, { ...audioTools, format: 'ogg-opus' });
    samples.push({ path, contentType: 'audio/ogg', emotion });
  }
}, 120_000);

afterAll(async () => {
  await fake.stop();
  cleanup();
});

describe('ElevenLabs cloning adapter', () => {
  it('clones: POST /v1/voices/add with the name and every sample as multipart files, xi-api-key; deletes with DELETE', async () => {
    const cloning = new ElevenLabsVoiceCloning(client());
    const { providerVoiceId } = await cloning.clone({ voiceId: '0190a0d0-0000-7000-8000-00000000000a', name: 'Grandma', samples });
    const stored = fake.voices.get(providerVoiceId)!;
    expect(stored.name).toBe('Grandma (0190a0d0-0000-7000-8000-00000000000a)');
    expect(stored.files.map((f) => [f.name, f.type])).toEqual([
      ['joy.ogg', 'audio/ogg'],
      ['sadness.ogg', 'audio/ogg'],
    ]);
    expect(stored.files.every((f) => f.size > 1000)).toBe(true);

    await cloning.remove(providerVoiceId);
    expect(fake.voices.has(providerVoiceId)).toBe(false);
    expect(fake.deleted).toContain(providerVoiceId);
    // Already gone (erasure retried): not an error.
    await expect(cloning.remove(providerVoiceId)).resolves.toBeUndefined();
  });

  it("the account's voice limit is VOICE_LIMIT_REACHED, not retryable", async () => {
    fake.voiceLimit = fake.voices.size;
    try {
      const refused = await failure(new ElevenLabsVoiceCloning(client()).clone({ voiceId: 'v', name: 'One too many', samples }));
      expect(refused).toMatchObject({ code: 'VOICE_LIMIT_REACHED', retryable: false });
      expect(refused.message).toMatch(/maximum amount of custom voices/);
    } finally {
      fake.voiceLimit = 10;
    }
  });

  it('a wrong key is PROVIDER_UNAUTHORIZED (the key is in no message); 503 and an unreachable server are retryable', async () => {
    const unauthorized = await failure(client('sk_wrong_key').addVoice('x', samples));
    expect(unauthorized).toMatchObject({ code: 'PROVIDER_UNAUTHORIZED', retryable: false });
    expect(unauthorized.message).not.toContain('sk_wrong_key');
    fake.failNext(503);
    expect(await failure(client().addVoice('x', samples))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    const down = new ElevenLabsClient({ apiKey: fake.apiKey, baseUrl: 'http://127.0.0.1:9', modelId: 'm', timeoutMs: 2_000 });
    expect(await failure(down.deleteVoice('x'))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
  });

  it('text-to-speech: POST /v1/text-to-speech/{voice_id} with the model and voice settings answers MP3', async () => {
    const { providerVoiceId } = await new ElevenLabsVoiceCloning(client()).clone({ voiceId: 'v', name: 'Tts', samples });
    const mp3 = join(dir, 'tts.mp3');
    await writeFile(mp3, await client().textToSpeech(providerVoiceId, 'The light held until dawn.', { stability: 0.5, similarityBoost: 0.8, style: 0, speed: 1 }));
    expect(await probeAudio(mp3, audioTools)).toMatchObject({ codec: 'mp3' });
    expect(fake.speeches.at(-1)).toMatchObject({
      voiceId: providerVoiceId,
      text: 'The light held until dawn.',
      modelId: 'eleven_multilingual_v2',
      voiceSettings: { stability: 0.5, similarity_boost: 0.8, style: 0, speed: 1 },
      accept: 'audio/mpeg',
    });
    expect(await failure(client().textToSpeech('no-such-voice', 'x', { stability: 0.5, similarityBoost: 0.8, style: 0, speed: 1 }))).toMatchObject({ code: 'PROVIDER_REFUSED' });
  });
});

describe('speech engine with a voice cloned at ElevenLabs', () => {
  it('speaks through text-to-speech, the style in its settings, and writes Opus in Ogg with a real, non-silent signal', async () => {
    const { providerVoiceId } = await new ElevenLabsVoiceCloning(client()).clone({ voiceId: 'v', name: 'Engine', samples });
    const engine = createSpeechEngine({ engine: 'piper', tools, elevenLabs: client() });
    const output = join(dir, 'cloned.ogg');
    const result = await engine.synthesise(
      {
        text: 'The storm came at night, and Mira was afraid.',
        emotion: 'fear',
        narratorProfile: 'grandma',
        conversationStyle: 'parent_to_child',
        voice: { provider: 'elevenlabs', providerVoiceId, profile: { f0MedianHz: 190, f0MinHz: 150, f0MaxHz: 260, charsPerSecond: 14 } },
      },
      output,
    );
    const info = await probeAudio(output, audioTools);
    expect(info).toMatchObject({ container: 'ogg', codec: 'opus', sampleRate: 48000, channels: 1 });
    expect(result).toEqual({ durationSeconds: info.durationSec, contentType: 'audio/ogg' });
    expect(result.durationSeconds).toBeGreaterThan(1);
    expect(isSilent(await measureSignal(output, audioTools))).toBe(false);
    const call = fake.speeches.at(-1)!;
    expect(call.voiceId).toBe(providerVoiceId);
    expect(call.voiceSettings).toMatchObject({ stability: 0.35, style: 0.4 });
    expect(call.voiceSettings.speed).toBeLessThan(1);
  });
});
