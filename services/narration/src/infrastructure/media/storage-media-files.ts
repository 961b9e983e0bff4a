import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  isSilent,
  measureSignal,
  NoPitchError,
  normaliseSample,
  NotAudioError,
  ObjectNotFoundError,
  pitchOf,
  probeAudio,
  type AudioToolOptions,
  type ObjectStorage,
} from '@storytelling/platform';
import type { MediaFiles, NormalisedAudio, PitchFacts } from '../../application/ports/index.js';
import type { AudioFacts } from '../../domain/index.js';

/** Normalised samples are Opus in Ogg. */
const SAMPLE_CONTENT_TYPE = 'audio/ogg';

/**
 * MediaFiles over the platform's ObjectStorage (filesystem or S3, streamed both ways) and audio
 * tools (ffprobe/ffmpeg as processes, pitchy for F0): probeAudio decodes what it cannot read
 * from a header (MediaRecorder's WebM), measureSignal tells silence (peak below -50 dBFS),
 * normaliseSample brings a recording to -16 LUFS mono Opus at 48 kHz.
 */
export class StorageMediaFiles implements MediaFiles {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly tools: AudioToolOptions = {},
  ) {}

  async withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'narration-media-'));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async download(key: string, path: string): Promise<boolean> {
    try {
      const object = await this.storage.get(key);
      await pipeline(object.body, createWriteStream(path));
      return true;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
  }

  async digest(path: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async upload(path: string, key: string, contentType: string): Promise<{ sizeBytes: number }> {
    const { size } = await stat(path);
    await this.storage.put(key, createReadStream(path), { contentType });
    return { sizeBytes: size };
  }

  delete(key: string): Promise<void> {
    return this.storage.delete(key);
  }

  deleteByPrefix(prefix: string): Promise<number> {
    return this.storage.deleteByPrefix(prefix);
  }

  async inspect(path: string): Promise<AudioFacts> {
    try {
      const info = await probeAudio(path, this.tools);
      const level = await measureSignal(path, this.tools);
      return { audio: true, durationSeconds: info.durationSec, silent: isSilent(level) };
    } catch (err) {
      if (err instanceof NotAudioError) return { audio: false, durationSeconds: 0, silent: true };
      throw err;
    }
  }

  async normalise(input: string, output: string): Promise<NormalisedAudio> {
    await normaliseSample(input, output, { ...this.tools, format: 'ogg-opus' });
    const info = await probeAudio(output, this.tools);
    return { durationSeconds: info.durationSec, contentType: SAMPLE_CONTENT_TYPE };
  }

  async pitch(path: string): Promise<PitchFacts | undefined> {
    try {
      const { f0MedianHz, f0MinHz, f0MaxHz } = await pitchOf(path, this.tools);
      return { f0MedianHz, f0MinHz, f0MaxHz };
    } catch (err) {
      if (err instanceof NoPitchError) return undefined;
      throw err;
    }
  }
}
