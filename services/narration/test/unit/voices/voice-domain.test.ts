// The voice aggregate, its samples and profile, the emotion set and the stock voice: pure rules.
import { FixedClock } from '@storytelling/kernel';
import {
  EMOTIONS,
  STOCK_VOICE_ID,
  Voice,
  VoiceEventTypes,
  checkSampleAudio,
  checkUploadKey,
  isStockVoiceId,
  matchVoice,
  normaliseSampleText,
  parseEmotion,
  sampleObjectKey,
  stockVoice,
  voiceObjectPrefix,
  type Emotion,
  type NewSample,
} from '../../../src/domain/index.js';

const OWNER = '0190a0d0-0000-7000-8000-0000000000a1';
const clock = new FixedClock(new Date('2026-12-01T10:00:00.000Z'));

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

let n = 0;
function sample(emotion: Emotion, durationSeconds = 4): NewSample {
  n += 1;
  const id = `0190a0d0-0000-7000-8000-${String(n).padStart(12, '0')}`;
  return { id, emotion, text: 'The storm came at night.', objectKey: sampleObjectKey(OWNER, 'v', id), contentType: 'audio/ogg', durationSeconds, sizeBytes: 1000 };
}

function voiceWith(emotions: readonly Emotion[]): Voice {
  const voice = Voice.create({ ownerId: OWNER, name: 'Grandma' }, clock);
  for (const e of emotions) voice.addSample(sample(e));
  return voice;
}

describe('emotions', () => {
  it("is DOMAIN.md's set: ten emotions and neutral", () => {
    expect(EMOTIONS).toEqual(['joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral']);
  });

  it('parses any case and spacing; anything else is UNKNOWN_EMOTION (400)', () => {
    expect(parseEmotion(' Joy ')).toBe('joy');
    expect(code(() => parseEmotion('rage'))).toBe('UNKNOWN_EMOTION');
    expect(code(() => parseEmotion(''))).toBe('UNKNOWN_EMOTION');
    expect(code(() => parseEmotion(3))).toBe('UNKNOWN_EMOTION');
  });
});

describe('samples', () => {
  it('audio must decode, last 1..60 s and not be silent, each with its own code', () => {
    expect(code(() => checkSampleAudio({ audio: false, durationSeconds: 0, silent: true }))).toBe('AUDIO_NOT_AUDIO');
    expect(code(() => checkSampleAudio({ audio: true, durationSeconds: 0.5, silent: false }))).toBe('AUDIO_TOO_SHORT');
    expect(code(() => checkSampleAudio({ audio: true, durationSeconds: 61, silent: false }))).toBe('AUDIO_TOO_LONG');
    expect(code(() => checkSampleAudio({ audio: true, durationSeconds: 5, silent: true }))).toBe('AUDIO_SILENT');
    expect(() => checkSampleAudio({ audio: true, durationSeconds: 1, silent: false })).not.toThrow();
    expect(() => checkSampleAudio({ audio: true, durationSeconds: 60, silent: false })).not.toThrow();
  });

  it('keys live under voices/<owner>/ and uploads under uploads/', () => {
    expect(sampleObjectKey(OWNER, 'v1', 's1')).toBe(`voices/${OWNER}/v1/samples/s1.ogg`);
    expect(voiceObjectPrefix(OWNER)).toBe(`voices/${OWNER}/`);
    expect(checkUploadKey('uploads/0190a0d0-aaaa')).toBe('uploads/0190a0d0-aaaa');
    for (const bad of ['voices/x/y', 'uploads/../voices/x', 'uploads/', '/uploads/x', 42]) expect(code(() => checkUploadKey(bad))).toBe('VALIDATION_FAILED');
  });

  it('the text read aloud is required, one line, at most 1000 characters', () => {
    expect(normaliseSampleText('  The storm\n came.  ')).toBe('The storm came.');
    expect(code(() => normaliseSampleText('   '))).toBe('VALIDATION_FAILED');
    expect(code(() => normaliseSampleText('x'.repeat(1001)))).toBe('VALIDATION_FAILED');
  });
});

describe('Voice', () => {
  it('is created collecting, with VoiceCreated; a name is 1..100 characters', () => {
    const voice = Voice.create({ ownerId: OWNER, name: '  Grandma  Rose ' }, clock);
    expect(voice.toState()).toMatchObject({ ownerId: OWNER, name: 'Grandma Rose', trainingStatus: 'collecting', provider: 'local', samples: [], profile: null });
    expect(voice.pendingEvents.map((e) => [e.type, e.data])).toEqual([
      [VoiceEventTypes.VoiceCreated, { voiceId: voice.id, ownerId: OWNER, name: 'Grandma Rose', createdAt: '2026-12-01T10:00:00.000Z' }],
    ]);
    expect(code(() => Voice.create({ ownerId: OWNER, name: ' ' }, clock))).toBe('VALIDATION_FAILED');
    expect(code(() => Voice.create({ ownerId: OWNER, name: 'x'.repeat(101) }, clock))).toBe('VALIDATION_FAILED');
  });

  it('records samples (VoiceSampleRecorded) and removes unlocked ones', () => {
    const voice = voiceWith(['joy']);
    const added = voice.addSample(sample('sadness', 3.5));
    expect(voice.pendingEvents.at(-1)).toMatchObject({
      type: VoiceEventTypes.VoiceSampleRecorded,
      data: { voiceId: voice.id, ownerId: OWNER, sampleId: added.id, emotion: 'sadness', durationSeconds: 3.5 },
    });
    expect(voice.removeSample(added.id).id).toBe(added.id);
    expect(voice.emotions()).toEqual(['joy']);
    expect(code(() => voice.removeSample(added.id))).toBe('SAMPLE_NOT_FOUND');
  });

  it('trains with five distinct emotions: NOT_ENOUGH_EMOTIONS below, VOICE_TRAINING while training', () => {
    const four = voiceWith(['joy', 'joy', 'sadness', 'anger', 'fear']);
    expect(code(() => four.startTraining())).toBe('NOT_ENOUGH_EMOTIONS');
    four.addSample(sample('neutral'));
    four.startTraining();
    expect(four.trainingStatus).toBe('training');
    expect(code(() => four.startTraining())).toBe('VOICE_TRAINING');
    expect(code(() => four.addSample(sample('love')))).toBe('VOICE_TRAINING');
    expect(code(() => four.removeSample(four.samples[0]!.id))).toBe('VOICE_TRAINING');
  });

  it('a finished training makes it ready with its profile, locks the samples used and records VoiceProfileTrained', () => {
    const voice = voiceWith(['joy', 'sadness', 'anger', 'fear', 'neutral']);
    voice.startTraining();
    const profile = { f0MedianHz: 190, f0MinHz: 150, f0MaxHz: 260, charsPerSecond: 14 };
    voice.completeTraining({ profile, provider: 'local', sampleIds: voice.samples.map((s) => s.id) });
    expect(voice.toState()).toMatchObject({ trainingStatus: 'ready', profile, provider: 'local', providerVoiceId: null });
    expect(voice.samples.every((s) => s.locked)).toBe(true);
    expect(voice.pendingEvents.at(-1)).toMatchObject({ type: VoiceEventTypes.VoiceProfileTrained, data: { voiceId: voice.id, ownerId: OWNER, provider: 'local', f0MedianHz: 190 } });
    expect(code(() => voice.removeSample(voice.samples[0]!.id))).toBe('SAMPLE_LOCKED');
    expect(() => voice.assertReady()).not.toThrow();

    // A sample recorded after training is not part of the profile: unlocked, removable.
    const later = voice.addSample(sample('love'));
    expect(later.locked).toBe(false);
    expect(voice.trainingStatus).toBe('ready');
    expect(voice.removeSample(later.id).id).toBe(later.id);
  });

  it('a failed training records VoiceTrainingFailed with its reason; a new sample collects again', () => {
    const voice = voiceWith(['joy', 'sadness', 'anger', 'fear', 'neutral']);
    expect(voice.failTraining('X')).toBe(false);
    voice.startTraining();
    expect(voice.failTraining('VOICE_LIMIT_REACHED')).toBe(true);
    expect(voice.toState()).toMatchObject({ trainingStatus: 'failed', failureReason: 'VOICE_LIMIT_REACHED' });
    expect(voice.pendingEvents.at(-1)).toMatchObject({ type: VoiceEventTypes.VoiceTrainingFailed, data: { reason: 'VOICE_LIMIT_REACHED' } });
    expect(code(() => voice.assertReady())).toBe('VOICE_NOT_READY');
    voice.addSample(sample('love'));
    expect(voice.toState()).toMatchObject({ trainingStatus: 'collecting', failureReason: null });
  });
});

describe('voice matching', () => {
  it('median of the samples\' medians, their full range, characters over seconds', () => {
    const m = (emotion: Emotion, f0: number, seconds: number, characters: number) => ({
      sampleId: emotion,
      emotion,
      f0MedianHz: f0,
      f0MinHz: f0 * 0.8,
      f0MaxHz: f0 * 1.3,
      durationSeconds: seconds,
      characters,
    });
    const profile = matchVoice([m('joy', 220, 3, 45), m('sadness', 170, 4, 48), m('anger', 200, 2, 30), m('fear', 210, 3, 42), m('neutral', 190, 3, 45)]);
    expect(profile).toEqual({ f0MedianHz: 200, f0MinHz: 136, f0MaxHz: 286, charsPerSecond: 14 });
    expect(() => matchVoice([])).toThrow();
  });
});

describe('the stock voice', () => {
  it('is ready, owned by stock, provider stock, with no samples', () => {
    const voice = stockVoice();
    expect(voice.id).toBe(STOCK_VOICE_ID);
    expect(isStockVoiceId(STOCK_VOICE_ID)).toBe(true);
    expect(voice.toState()).toMatchObject({ ownerId: 'stock', provider: 'stock', trainingStatus: 'ready', samples: [] });
    expect(voice.pendingEvents).toEqual([]);
  });
});
