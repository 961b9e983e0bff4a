import { audioInput, ffmpegOf, loudnormFilter, measureLoudness, probeAudio, SPEECH_LOUDNESS, type AudioToolOptions, type LoudnessTarget } from './audio.js';
import { writeAtomically } from './atomic-output.js';
import { runTool } from './media-process.js';

/** WAV (16-bit PCM) for further processing, Opus in Ogg for storage and playback. */
export type AudioOutputFormat = 'wav' | 'ogg-opus';

export interface AudioOutputOptions extends AudioToolOptions {
  format?: AudioOutputFormat;
  /** Default: 48000 for Opus (its native rate), 24000 for WAV (plenty for speech). */
  sampleRate?: number;
}

const OPUS_RATES = [8000, 12000, 16000, 24000, 48000];

function outputArgs(options: AudioOutputOptions, mono: boolean): string[] {
  const format = options.format ?? 'wav';
  const sampleRate = options.sampleRate ?? (format === 'ogg-opus' ? 48000 : 24000);
  if (format === 'ogg-opus' && !OPUS_RATES.includes(sampleRate)) throw new Error(`Opus cannot encode at ${sampleRate} Hz (one of ${OPUS_RATES.join(', ')})`);
  const codec = format === 'wav' ? ['-c:a', 'pcm_s16le', '-f', 'wav'] : ['-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg'];
  return [...(mono ? ['-ac', '1'] : []), '-ar', String(sampleRate), ...codec];
}

/** Runs ffmpeg with its output written atomically to `output`. */
async function writeWithFfmpeg(output: string, args: string[], options: AudioToolOptions): Promise<void> {
  await writeAtomically(output, (temp) => runTool(ffmpegOf(options), ['-hide_banner', '-nostdin', '-v', 'error', ...args, '-y', temp], { timeoutMs: options.timeoutMs ?? 300_000 }));
}

export interface NormaliseOptions extends AudioOutputOptions {
  target?: LoudnessTarget;
}

/**
 * A voice sample made uniform: loudness-normalised to the target (EBU R128 measurement, two-pass
 * loudnorm so the gain is one linear change rather than a pumping compressor), mono, fixed sample
 * rate. Answers the loudness it measured on the way in.
 */
export async function normaliseSample(input: string, output: string, options: NormaliseOptions = {}): Promise<{ inputLufs: number }> {
  await probeAudio(input, options); // NotAudioError before anything is written
  const target = options.target ?? SPEECH_LOUDNESS;
  const measured = await measureLoudness(input, { ...options, target });
  const loudness = measured.input;
  const filter = normalisationFilter(measured, target);
  await writeWithFfmpeg(output, ['-i', await audioInput(input), '-map', '0:a:0', '-af', filter, ...outputArgs(options, true)], options);
  return { inputLufs: loudness.integratedLufs };
}

/** The files one after another with `pauseMs` of silence between them (narration segments). */
export async function concatWithPauses(inputs: readonly string[], pauseMs: number, output: string, options: AudioOutputOptions = {}): Promise<void> {
  if (inputs.length === 0) throw new Error('concatWithPauses needs at least one input');
  if (!Number.isFinite(pauseMs) || pauseMs < 0) throw new Error(`pauseMs must be >= 0, got ${pauseMs}`);
  const files: string[] = [];
  for (const input of inputs) {
    await probeAudio(input, options);
    files.push(await audioInput(input));
  }
  const sampleRate = options.sampleRate ?? ((options.format ?? 'wav') === 'ogg-opus' ? 48000 : 24000);
  // Every input to one sample format first: concat needs identical streams.
  const chains = files.map((_, i) => {
    const pad = i < files.length - 1 && pauseMs > 0 ? `,apad=pad_dur=${pauseMs / 1000}` : '';
    return `[${i}:a:0]aformat=sample_fmts=fltp:sample_rates=${sampleRate}:channel_layouts=mono${pad}[a${i}]`;
  });
  const graph = `${chains.join(';')};${files.map((_, i) => `[a${i}]`).join('')}concat=n=${files.length}:v=0:a=1[out]`;
  await writeWithFfmpeg(output, [...files.flatMap((f) => ['-i', f]), '-filter_complex', graph, '-map', '[out]', ...outputArgs({ ...options, sampleRate }, true)], options);
}

export type PitchShift = { semitones: number } | { ratio: number };
export type PitchShiftMethod = 'rubberband' | 'resample';

export interface ShiftPitchOptions extends AudioOutputOptions {
  /** auto: rubberband when this ffmpeg has it (keeps timbre better), else resample. */
  method?: PitchShiftMethod | 'auto';
  /** rubberband only: keep the formants (the voice sounds less chipmunk-like). */
  preserveFormants?: boolean;
}

const rubberbandByBinary = new Map<string, Promise<boolean>>();

/** Whether this ffmpeg was built with librubberband (Debian's is); asked once per binary. */
export function hasRubberband(options: AudioToolOptions = {}): Promise<boolean> {
  const ffmpeg = ffmpegOf(options);
  let known = rubberbandByBinary.get(ffmpeg);
  if (!known) {
    known = runTool(ffmpeg, ['-hide_banner', '-filters'], { timeoutMs: 30_000 }).then(
      ({ stdout }) => /\srubberband\s/.test(stdout.toString('utf8')),
      () => false,
    );
    rubberbandByBinary.set(ffmpeg, known);
  }
  return known;
}

/** atempo takes 0.5..100 per instance (ffmpeg 5); a factor outside is a chain of them. */
function atempoChain(factor: number): string[] {
  const filters: string[] = [];
  let rest = factor;
  while (rest < 0.5) {
    filters.push('atempo=0.5');
    rest /= 0.5;
  }
  while (rest > 2) {
    filters.push('atempo=2');
    rest /= 2;
  }
  filters.push(`atempo=${rest.toFixed(6)}`);
  return filters;
}

/**
 * The same audio, higher or lower (a character's voice from a narrator's), duration kept.
 * rubberband shifts in one filter; the fallback plays the audio faster (asetrate: pitch and speed
 * up together), resamples back to the rate, then slows the tempo back down (atempo).
 */
export async function shiftPitch(input: string, output: string, shift: PitchShift, options: ShiftPitchOptions = {}): Promise<{ method: PitchShiftMethod; ratio: number }> {
  const ratio = 'semitones' in shift ? 2 ** (shift.semitones / 12) : shift.ratio;
  if (!Number.isFinite(ratio) || ratio < 0.25 || ratio > 4) throw new Error(`pitch ratio must be between 0.25 and 4 (±24 semitones), got ${ratio}`);
  const info = await probeAudio(input, options);
  const wanted = options.method ?? 'auto';
  const method: PitchShiftMethod = wanted === 'auto' ? ((await hasRubberband(options)) ? 'rubberband' : 'resample') : wanted;
  const rate = info.sampleRate;
  const filter =
    method === 'rubberband'
      ? `rubberband=pitch=${ratio.toFixed(6)}:pitchq=quality${options.preserveFormants ? ':formant=preserved' : ''}`
      : [`asetrate=${Math.round(rate * ratio)}`, `aresample=${rate}`, ...atempoChain(1 / ratio)].join(',');
  const sampleRate = options.sampleRate ?? ((options.format ?? 'wav') === 'wav' ? rate : 48000);
  await writeWithFfmpeg(output, ['-i', await audioInput(input), '-map', '0:a:0', '-af', filter, ...outputArgs({ ...options, sampleRate }, false)], options);
  return { method, ratio };
}

/**
 * loudnorm's second pass from the first pass's measures. Silence has no loudness to correct, and a
 * near-silent input can measure a finite loudness with an infinite threshold or offset (ffmpeg then
 * refuses `offset=inf`): in either case single-pass (dynamic) loudnorm, which leaves silence silent.
 */
export function normalisationFilter(measured: Awaited<ReturnType<typeof measureLoudness>>, target: LoudnessTarget): string {
  const loudness = measured.input;
  const measurable = [loudness.integratedLufs, loudness.truePeakDb, loudness.loudnessRangeLu, loudness.thresholdLufs, measured.targetOffset].every(Number.isFinite);
  return measurable
    ? `${loudnormFilter(target)}:measured_I=${loudness.integratedLufs}:measured_TP=${loudness.truePeakDb}:measured_LRA=${loudness.loudnessRangeLu}:measured_thresh=${loudness.thresholdLufs}:offset=${measured.targetOffset}:linear=true`
    : loudnormFilter(target);
}
