// How emotion, narrator profile, conversation style and a voice profile become rate, pitch,
// volume and pauses (infrastructure/speech/speech-style.ts): pure numbers.
import { EMOTIONS } from '../../../src/domain/index.js';
import { pitchRatio, speechStyle } from '../../../src/infrastructure/speech/speech-style.js';

describe('speech style', () => {
  it('neutral, neutral, respectful is close to the engine as it is', () => {
    expect(speechStyle('neutral', 'neutral', 'respectful')).toEqual({ lengthScale: 1.02, semitones: 0, volumeDb: -0.5, sentenceSilenceSec: 0.45 });
  });

  it('every emotion differs from neutral; sadness is slower, lower, softer and pauses longer than excitement', () => {
    const neutral = speechStyle('neutral', 'neutral', 'respectful');
    for (const emotion of EMOTIONS.filter((e) => e !== 'neutral')) expect(speechStyle(emotion, 'neutral', 'respectful')).not.toEqual(neutral);
    const sad = speechStyle('sadness', 'neutral', 'respectful');
    const excited = speechStyle('excitement', 'neutral', 'respectful');
    expect(sad.lengthScale).toBeGreaterThan(excited.lengthScale);
    expect(sad.semitones).toBeLessThan(excited.semitones);
    expect(sad.volumeDb).toBeLessThan(excited.volumeDb);
    expect(sad.sentenceSilenceSec).toBeGreaterThan(excited.sentenceSilenceSec);
  });

  it('narrator profile and conversation style layer on top: a grandma is slower and lower than a kid', () => {
    const grandma = speechStyle('neutral', 'grandma', 'parent_to_child');
    const kid = speechStyle('neutral', 'kid', 'child_to_parent');
    expect(grandma.lengthScale).toBeGreaterThan(kid.lengthScale);
    expect(grandma.semitones).toBeLessThan(kid.semitones);
  });

  it("a profile's pace scales the length against the engine's, within ±25 %", () => {
    const base = speechStyle('neutral', 'neutral', 'respectful').lengthScale;
    const slowSpeaker = { f0MedianHz: 200, f0MinHz: 150, f0MaxHz: 260, charsPerSecond: 11.9 };
    expect(speechStyle('neutral', 'neutral', 'respectful', { profile: slowSpeaker, engineCharsPerSecond: 17 }).lengthScale).toBeCloseTo(base * 1.25, 2);
    expect(speechStyle('neutral', 'neutral', 'respectful', { profile: { ...slowSpeaker, charsPerSecond: 17 }, engineCharsPerSecond: 17 }).lengthScale).toBeCloseTo(base, 3);
  });

  it("pitch goes onto the profile's F0 median, the style on top, within ×0.4..×3", () => {
    const profile = { f0MedianHz: 190, f0MinHz: 150, f0MaxHz: 260, charsPerSecond: 14 };
    const flat = { lengthScale: 1, semitones: 0, volumeDb: 0, sentenceSilenceSec: 0.4 };
    expect(pitchRatio(flat, profile, 95)).toBeCloseTo(2, 5);
    expect(pitchRatio({ ...flat, semitones: 12 }, profile, 190)).toBeCloseTo(2, 5);
    expect(pitchRatio(flat, profile, 600)).toBe(0.4);
    expect(pitchRatio({ ...flat, semitones: 12 }, profile, 60)).toBe(3);
    expect(pitchRatio({ ...flat, semitones: -12 }, undefined, undefined)).toBeCloseTo(0.5, 5);
    expect(pitchRatio(flat, profile, undefined)).toBe(1);
  });
});
