import type { Emotion } from './emotion.js';

/**
 * What voice matching measured from a voice's samples (offline "training"): the speaker's
 * fundamental frequency (median and range over voiced frames) and pace. Synthesis shifts its
 * output toward the median and speaks at the pace.
 */
export interface VoiceProfile {
  f0MedianHz: number;
  /** Low end of the range (the samples' 5th percentiles). */
  f0MinHz: number;
  /** High end of the range (the samples' 95th percentiles). */
  f0MaxHz: number;
  /** Characters of sample text per second of audio. */
  charsPerSecond: number;
}

/** One sample as voice matching measured it. */
export interface SampleMeasurement {
  sampleId: string;
  emotion: Emotion;
  f0MedianHz: number;
  f0MinHz: number;
  f0MaxHz: number;
  durationSeconds: number;
  /** Characters of the text that was read (spaces between words included, runs of space as one). */
  characters: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Voice matching: one profile from the samples' measurements. The median is the median of the
 * samples' medians (one emotional outlier cannot drag it), the range spans the samples' ranges,
 * the pace is all characters over all seconds.
 * @throws Error without measurements (the caller measured nothing)
 */
export function matchVoice(measurements: readonly SampleMeasurement[]): VoiceProfile {
  if (measurements.length === 0) throw new Error('voice matching needs at least one measured sample');
  const f0MedianHz = median(measurements.map((m) => m.f0MedianHz));
  const seconds = measurements.reduce((sum, m) => sum + m.durationSeconds, 0);
  const characters = measurements.reduce((sum, m) => sum + m.characters, 0);
  return {
    f0MedianHz: round(f0MedianHz),
    f0MinHz: round(Math.min(f0MedianHz, ...measurements.map((m) => m.f0MinHz))),
    f0MaxHz: round(Math.max(f0MedianHz, ...measurements.map((m) => m.f0MaxHz))),
    charsPerSecond: round(seconds > 0 ? characters / seconds : 0),
  };
}

/** Whether a stored profile holds usable numbers (a row written by hand could hold anything). */
export function isVoiceProfile(value: unknown): value is VoiceProfile {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
  return positive(p.f0MedianHz) && positive(p.f0MinHz) && positive(p.f0MaxHz) && typeof p.charsPerSecond === 'number' && Number.isFinite(p.charsPerSecond) && p.charsPerSecond >= 0;
}
