import type { AudioFacts } from '../../domain/index.js';

/** F0 of a recording over its voiced frames (McLeod pitch method): median and 5th/95th percentiles. */
export interface PitchFacts {
  f0MedianHz: number;
  f0MinHz: number;
  f0MaxHz: number;
}

/** A normalised recording as written. */
export interface NormalisedAudio {
  /** Decoded from the output. */
  durationSeconds: number;
  contentType: string;
}

/**
 * Media objects and the audio tools, for the use cases: copy objects to and from local scratch
 * files, check audio by its content, normalise it (loudness, mono, Opus in Ogg at 48 kHz) and
 * measure its pitch. Adapter: infrastructure/media (ObjectStorage + ffmpeg + pitchy).
 */
export interface MediaFiles {
  /** A private scratch folder for `work`, removed afterwards whatever happens. */
  withScratch<T>(work: (dir: string) => Promise<T>): Promise<T>;
  /** Copies an object to a local file; false when there is no such object. */
  download(key: string, path: string): Promise<boolean>;
  upload(path: string, key: string, contentType: string): Promise<{ sizeBytes: number }>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /** Deletes every object under `prefix`; answers how many. */
  deleteByPrefix(prefix: string): Promise<number>;
  /** SHA-256 (hex) of a local file's bytes: what an upload is told apart by (AddSample's Idempotency-Key). */
  digest(path: string): Promise<string>;
  /** Decodes the file: is it audio, how long, is it silent. */
  inspect(path: string): Promise<AudioFacts>;
  normalise(input: string, output: string): Promise<NormalisedAudio>;
  /** undefined when nothing in the file has a pitch (silence, noise, whispering). */
  pitch(path: string): Promise<PitchFacts | undefined>;
}

export const MEDIA_FILES = Symbol('narration.MediaFiles');
