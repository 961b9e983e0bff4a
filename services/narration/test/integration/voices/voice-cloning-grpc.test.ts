// Training with NARRATION_CLONING_PROVIDER=elevenlabs, over gRPC against real PostgreSQL and
// Kafka, with ElevenLabs played by a local server that speaks its API: the clone is made from
// the stored samples, the account's voice limit fails training with VOICE_LIMIT_REACHED, and
// erasure deletes the cloned voice at the provider.
import { CommandBus } from '@nestjs/cqrs';
import { waitUntil } from '@storytelling/testing';
import { EraseUserVoicesCommand } from '../../../src/application/index.js';
import { FakeElevenLabs } from '../../support/fake-elevenlabs.js';
import { tone, voiceScratch } from '../../support/voice-audio.js';
import { as, outcome, registerUser, startVoiceStack, upload, type TestUser, type VoiceStack } from '../../support/voice-harness.js';

const { dir, cleanup } = voiceScratch('cloning');
const EMOTIONS = ['joy', 'sadness', 'anger', 'fear', 'neutral'];
let fake: FakeElevenLabs;
let stack: VoiceStack;
let ann: TestUser;
const recordings: string[] = [];

/** A voice with one real recording (a tone from lavfi: voiced, 2 s) per emotion. */
async function voiceWithSamples(name: string): Promise<string> {
  const voice = (await stack.client.createVoice({ name }, as(ann))).voice!;
  for (const [i, emotion] of EMOTIONS.entries()) {
    await stack.client.addSample({ voiceId: voice.id, emotion, text: 'Once upon a time.', uploadObjectKey: await upload(stack, recordings[i]!), declaredContentType: 'audio/wav' }, as(ann));
  }
  return voice.id;
}

async function trained(voiceId: string) {
  await waitUntil(async () => (await stack.client.getVoice({ voiceId }, as(ann))).voice!.trainingStatus !== 'training', 30_000);
  return (await stack.client.getVoice({ voiceId }, as(ann))).voice!;
}

beforeAll(async () => {
  fake = await new FakeElevenLabs().start();
  stack = await startVoiceStack('cloning', { NARRATION_CLONING_PROVIDER: 'elevenlabs', ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.baseUrl });
  ann = await registerUser(stack, 'Ann');
  stack.subscription.tiers.set(ann.id, 'platinum');
  for (const [i, emotion] of EMOTIONS.entries()) recordings.push(await tone(dir, `${emotion}.wav`, 2, 180 + 10 * i));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await fake?.stop();
  cleanup();
});

describe('voice cloning at ElevenLabs (fake server)', () => {
  it('training clones the stored samples there and keeps the voice id; the voice is ready with its profile', async () => {
    const voiceId = await voiceWithSamples('Ann');
    expect(await outcome(stack.client.trainVoice({ voiceId }, as(ann)))).toBe('ok');
    const voice = await trained(voiceId);
    expect(voice).toMatchObject({ trainingStatus: 'ready', provider: 'elevenlabs' });
    expect(voice.profile!.f0MedianHz).toBeGreaterThan(170);
    expect(voice.profile!.f0MedianHz).toBeLessThan(230);
    const [row] = (await stack.ds.query(`SELECT provider_voice_id FROM voices WHERE id = $1`, [voiceId])) as Array<{ provider_voice_id: string }>;
    const clone = fake.voices.get(row!.provider_voice_id)!;
    expect(clone.name).toBe(`Ann (${voiceId})`);
    expect(clone.files).toHaveLength(5);
    expect(clone.files.every((f) => f.type === 'audio/ogg' && f.size > 0)).toBe(true);
  }, 60_000);

  it("the account's voice limit fails training: failed, VOICE_LIMIT_REACHED, VoiceTrainingFailed", async () => {
    fake.voiceLimit = fake.voices.size;
    const voiceId = await voiceWithSamples('One too many');
    await stack.client.trainVoice({ voiceId }, as(ann));
    const voice = await trained(voiceId);
    expect(voice).toMatchObject({ trainingStatus: 'failed', failureReason: 'VOICE_LIMIT_REACHED', provider: 'local' });
    expect(voice.samples.some((s) => s.locked)).toBe(false);
    const events = (await stack.ds.query(`SELECT type, data FROM domain_events WHERE aggregate_id = $1 ORDER BY version DESC LIMIT 1`, [voiceId])) as Array<{ type: string; data: unknown }>;
    expect(events[0]).toEqual({ type: 'storytelling.narration.voice.training_failed.v1', data: { voiceId, ownerId: ann.id, reason: 'VOICE_LIMIT_REACHED' } });
    fake.voiceLimit = 10;
  }, 60_000);

  it('erasure deletes the cloned voices at ElevenLabs too', async () => {
    const cloned = [...fake.voices.keys()];
    expect(cloned).toHaveLength(1);
    const erased = await stack.narration.app.get(CommandBus).execute(new EraseUserVoicesCommand(ann.id));
    expect(erased).toEqual({ voices: 2, objects: 10, providerVoices: 1 });
    expect(fake.deleted).toEqual(cloned);
    expect(fake.voices.size).toBe(0);
  }, 30_000);
});
