import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ValidationError } from '@storytelling/kernel';
import { MediaToolFailedError, runTool } from './media-process.js';

/** Which binaries to run (default: FFMPEG_PATH / FFPROBE_PATH, else PATH) and for how long. */
export interface AudioToolOptions {
  ffmpeg?: string;
  ffprobe?: string;
  timeoutMs?: number;
}

export const ffmpegOf = (options: AudioToolOptions): string => options.ffmpeg ?? (process.env.FFMPEG_PATH || 'ffmpeg');
const ffprobeOf = (options: AudioToolOptions): string => options.ffprobe ?? (process.env.FFPROBE_PATH || 'ffprobe');

/** The file exists but holds no decodable audio (an upload that is a text, an image, garbage). */
export class NotAudioError extends ValidationError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`not an audio file: ${detail}`, [], 'NOT_AUDIO');
  }
}

export interface AudioInfo {
  /** ffprobe's demuxer name: `wav`, `ogg`, `mp3`, `matroska,webm`, `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string;
  /** The content type to store it under, from the container. */
  contentType: string;
  codec: string;
  durationSec: number;
  sampleRate: number;
  channels: number;
  bitRate: number | null;
}

export interface SignalLevel {
  /** RMS level of the whole file, dBFS; digital silence reads about -91. */
  meanVolumeDb: number;
  /** Loudest sample, dBFS. */
  maxVolumeDb: number;
}

export interface Loudness {
  /** Integrated loudness (EBU R128), LUFS; -Infinity for silence. */
  integratedLufs: number;
  truePeakDb: number;
  loudnessRangeLu: number;
  thresholdLufs: number;
}

/** Below this peak a recording is treated as silent: a muted or unplugged microphone. */
export const SILENCE_MAX_VOLUME_DB = -50;

export function isSilent(level: SignalLevel, thresholdDb = SILENCE_MAX_VOLUME_DB): boolean {
  return level.maxVolumeDb < thresholdDb;
}

const CONTENT_TYPES: Array<[RegExp, string]> = [
  [/^wav$/, 'audio/wav'],
  [/^ogg$/, 'audio/ogg'],
  [/^mp3$/, 'audio/mpeg'],
  [/webm/, 'audio/webm'],
  [/^matroska/, 'audio/x-matroska'],
  [/^mov,mp4/, 'audio/mp4'],
  [/^flac$/, 'audio/flac'],
];

function contentTypeOfContainer(container: string): string {
  return CONTENT_TYPES.find(([pattern]) => pattern.test(container))?.[1] ?? 'application/octet-stream';
}

/**
 * Absolute, so a file named `-i` or `concat:…` can never be read by ffmpeg as an option or a
 * protocol; a missing file fails here with ENOENT rather than as "not audio".
 */
export async function audioInput(path: string): Promise<string> {
  const absolute = resolve(path);
  await stat(absolute);
  return absolute;
}

/** Runs ffmpeg on a file we expect to decode: any failure means the file is not (usable) audio. */
async function decodeWithFfmpeg(input: string, args: string[], options: AudioToolOptions, maxStdoutBytes?: number): Promise<{ stdout: Buffer; stderr: string }> {
  try {
    return await runTool(ffmpegOf(options), ['-hide_banner', '-nostdin', '-i', input, '-map', '0:a:0', ...args], {
      timeoutMs: options.timeoutMs ?? 120_000,
      ...(maxStdoutBytes ? { maxStdoutBytes } : {}),
    });
  } catch (error) {
    if (error instanceof MediaToolFailedError && error.exitCode !== null) throw new NotAudioError(input, error.detail || 'ffmpeg could not decode it');
    throw error;
  }
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; bit_rate?: string };
  streams?: Array<{ codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number; duration?: string; bit_rate?: string }>;
}

const positive = (value: string | undefined): number | null => {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : null;
};

/** Duration by decoding: recorders (MediaRecorder's WebM) often write no duration in the header. */
async function decodedDuration(input: string, options: AudioToolOptions): Promise<number | null> {
  const { stderr } = await decodeWithFfmpeg(input, ['-stats', '-f', 'null', '-'], options);
  const times = [...stderr.matchAll(/time=(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)];
  const last = times.at(-1);
  return last ? Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]) : null;
}

/** What a file holds: container, codec, duration, sample rate, channels. NotAudioError if no audio. */
export async function probeAudio(path: string, options: AudioToolOptions = {}): Promise<AudioInfo> {
  const input = await audioInput(path);
  let output: FfprobeOutput;
  try {
    const { stdout } = await runTool(ffprobeOf(options), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input], {
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    output = JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (error) {
    if (error instanceof MediaToolFailedError && error.exitCode !== null) throw new NotAudioError(input, error.detail || 'ffprobe could not read it');
    throw error;
  }
  const stream = output.streams?.find((s) => s.codec_type === 'audio');
  const container = output.format?.format_name ?? '';
  if (!stream || !container) throw new NotAudioError(input, 'no audio stream');
  const durationSec = positive(stream.duration) ?? positive(output.format?.duration) ?? (await decodedDuration(input, options));
  if (!durationSec) throw new NotAudioError(input, 'no audio samples');
  return {
    container,
    contentType: contentTypeOfContainer(container),
    codec: stream.codec_name ?? 'unknown',
    durationSec,
    sampleRate: positive(stream.sample_rate) ?? 0,
    channels: stream.channels ?? 0,
    bitRate: positive(stream.bit_rate) ?? positive(output.format?.bit_rate),
  };
}

/** Mean and peak level (ffmpeg volumedetect): enough to tell a silent recording. */
export async function measureSignal(path: string, options: AudioToolOptions = {}): Promise<SignalLevel> {
  const input = await audioInput(path);
  const { stderr } = await decodeWithFfmpeg(input, ['-af', 'volumedetect', '-f', 'null', '-'], options);
  const mean = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  const max = /max_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  if (!mean || !max) throw new NotAudioError(input, 'no audio samples');
  const db = (text: string): number => (text === '-inf' ? -Infinity : Number(text));
  return { meanVolumeDb: db(mean[1]!), maxVolumeDb: db(max[1]!) };
}

export interface LoudnessTarget {
  /** Integrated loudness to aim for, LUFS. */
  integratedLufs: number;
  truePeakDb: number;
  loudnessRangeLu: number;
}

/** Spoken word for web and phone playback: -16 LUFS (EBU R128's -23 is for broadcast). */
export const SPEECH_LOUDNESS: LoudnessTarget = { integratedLufs: -16, truePeakDb: -1.5, loudnessRangeLu: 11 };

export function loudnormFilter(target: LoudnessTarget): string {
  return `loudnorm=I=${target.integratedLufs}:TP=${target.truePeakDb}:LRA=${target.loudnessRangeLu}`;
}

/** What loudnorm prints after its analysis pass, as numbers. */
export interface LoudnormMeasurement {
  input: Loudness;
  /** loudnorm's offset for the second pass. */
  targetOffset: number;
}

/** EBU R128 loudness, measured by loudnorm's analysis pass (the first of two-pass normalisation). */
export async function measureLoudness(path: string, options: AudioToolOptions & { target?: LoudnessTarget } = {}): Promise<LoudnormMeasurement> {
  const input = await audioInput(path);
  const filter = `${loudnormFilter(options.target ?? SPEECH_LOUDNESS)}:print_format=json`;
  const { stderr } = await decodeWithFfmpeg(input, ['-af', filter, '-f', 'null', '-'], options);
  const json = [...stderr.matchAll(/\{[^{}]*"input_i"[^{}]*\}/g)].at(-1)?.[0];
  if (!json) throw new NotAudioError(input, 'loudnorm measured nothing');
  const values = JSON.parse(json) as Record<string, string>;
  const number = (name: string): number => {
    const text = values[name] ?? '';
    if (text === '-inf') return -Infinity;
    if (text === 'inf') return Infinity;
    return Number(text);
  };
  return {
    input: {
      integratedLufs: number('input_i'),
      truePeakDb: number('input_tp'),
      loudnessRangeLu: number('input_lra'),
      thresholdLufs: number('input_thresh'),
    },
    targetOffset: number('target_offset'),
  };
}

/** Decoded mono samples as 32-bit floats (-1..1) at `sampleRate`: what pitch analysis reads. */
export async function decodePcm(path: string, sampleRate: number, options: AudioToolOptions = {}): Promise<Float32Array> {
  const input = await audioInput(path);
  const { stdout } = await decodeWithFfmpeg(input, ['-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', '-'], options);
  // Copy into an aligned buffer: a Float32Array view needs a byte offset divisible by 4.
  const aligned = new Float32Array(Math.floor(stdout.length / 4));
  Buffer.from(aligned.buffer).set(stdout.subarray(0, aligned.length * 4));
  return aligned;
}
