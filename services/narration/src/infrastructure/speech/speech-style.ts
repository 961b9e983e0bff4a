import type { ConversationStyle } from '../../domain/conversation-style.js';
import type { Emotion, VoiceProfile } from '../../domain/index.js';
import type { NarratorProfile } from '../../domain/narrator-profile.js';

/** How a segment is spoken: what the engine's rate, pitch, volume and pauses become. */
export interface SpeechStyle {
  /** Piper's length_scale: > 1 slower. */
  lengthScale: number;
  /** Pitch change from the voice's own (or its profile's F0 median), semitones. */
  semitones: number;
  /** Gain, dB. */
  volumeDb: number;
  /** Silence after each sentence, seconds. */
  sentenceSilenceSec: number;
}

/** One layer's contribution: tempo multiplies, the rest add. */
type Shade = [tempo: number, semitones: number, volumeDb: number, pauseSec: number];

// tempo > 1 is faster (length scale divides by it). Joy, surprise and excitement lift and hurry;
// sadness and love slow down and soften; anger is loud; contempt and disgust drop.
const EMOTION: Record<Emotion, Shade> = {
  joy: [1.08, 1.5, 1, 0.3],
  sadness: [0.85, -1.5, -3, 0.6],
  anger: [1.05, 0.5, 3, 0.25],
  fear: [1.1, 1, -1, 0.35],
  surprise: [1.05, 2, 2, 0.3],
  disgust: [0.93, -1, 0, 0.45],
  contempt: [0.9, -1.5, -1, 0.45],
  love: [0.9, 0.5, -1.5, 0.5],
  curiosity: [1, 1, 0, 0.4],
  excitement: [1.14, 2.5, 3, 0.25],
  neutral: [1, 0, 0, 0.4],
};

const NARRATOR: Record<NarratorProfile, Shade> = {
  neutral: [1, 0, 0, 0],
  grandma: [0.87, -1, -1, 0.15],
  kid: [1.08, 4, 1, -0.05],
  business: [1.05, -0.5, 0.5, -0.1],
  storyteller: [0.93, 0, 0, 0.2],
};

const CONVERSATION: Record<ConversationStyle, Shade> = {
  respectful: [0.98, 0, -0.5, 0.05],
  business: [1.03, -0.5, 0, -0.05],
  jovial: [1.04, 1, 1, 0],
  playful: [1.05, 1.5, 1, 0],
  close_friends: [1.03, 0.5, 0, 0],
  parent_to_child: [0.9, 1, -1, 0.15],
  child_to_parent: [1.03, 1.5, 0, 0],
  siblings: [1.05, 0.5, 0.5, 0],
};

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * The style of a segment: emotion, narrator profile and conversation style layered (tempos
 * multiply, pitch, volume and pauses add), then the voice's measured pace: a profile's
 * characters per second against the engine's own pace scales the length (within ±25 %).
 */
export function speechStyle(
  emotion: Emotion,
  narrator: NarratorProfile,
  conversation: ConversationStyle,
  pace?: { profile: VoiceProfile | undefined; engineCharsPerSecond: number },
): SpeechStyle {
  const layers = [EMOTION[emotion], NARRATOR[narrator], CONVERSATION[conversation]];
  const tempo = layers.reduce((t, [x]) => t * x, 1);
  const sum = (i: 1 | 2 | 3): number => layers.reduce((s, layer) => s + layer[i], 0);
  const measured = pace?.profile?.charsPerSecond ?? 0;
  const paceScale = measured > 0 ? clamp(pace!.engineCharsPerSecond / measured, 0.8, 1.25) : 1;
  return {
    lengthScale: round(clamp(paceScale / tempo, 0.6, 1.8)),
    semitones: round(clamp(sum(1), -8, 8)),
    volumeDb: round(clamp(sum(2), -9, 6)),
    sentenceSilenceSec: round(clamp(sum(3), 0.1, 1.2)),
  };
}

/** How far voice matching may move the engine's pitch: Piper's ~92 Hz voice reaches ~37..276 Hz, a man's to a child's. */
export const MIN_PITCH_RATIO = 0.4;
export const MAX_PITCH_RATIO = 3;

/**
 * The pitch ratio to apply to speech whose F0 median is `measuredHz`: with a profile, onto its
 * F0 median (then the style's semitones on top); without, the style's semitones alone. Kept
 * within MIN_PITCH_RATIO..MAX_PITCH_RATIO, so a bad measurement cannot make a chipmunk.
 */
export function pitchRatio(style: SpeechStyle, profile: VoiceProfile | undefined, measuredHz: number | undefined): number {
  const styled = 2 ** (style.semitones / 12);
  if (!profile || !measuredHz || measuredHz <= 0) return styled;
  return clamp((profile.f0MedianHz / measuredHz) * styled, MIN_PITCH_RATIO, MAX_PITCH_RATIO);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
