import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  audioInput,
  ffmpegOf,
  NoPitchError,
  pitchOf,
  probeAudio,
  runTool,
  shiftPitch,
  writeAtomically,
  type AudioToolOptions,
  type SpeechSynthesiser,
} from '@storytelling/platform';
import type { SpeechEngine, SpeechRequest, SpeechResult } from '../../application/ports/index.js';
import { SPEECH_CONTENT_TYPE } from '../../application/ports/index.js';
import type { ElevenLabsClient } from '../cloning/elevenlabs-client.js';
import { pitchRatio, speechStyle, type SpeechStyle } from './speech-style.js';

export interface LocalSpeechEngineOptions {
  /** Piper, or espeak-ng (the fallback). */
  synthesiser: SpeechSynthesiser;
  /** The synthesiser's own pace at length scale 1 (characters per second), what a profile's pace is compared with. */
  charsPerSecond: number;
  tools?: AudioToolOptions;
  /** Speaks voices cloned at ElevenLabs; without it they speak locally, shaped by their profile. */
  elevenLabs?: ElevenLabsClient;
}

/** Pitch changes smaller than this are not worth a pass through rubberband. */
const PITCH_EPSILON = 0.005;

/**
 * The SpeechEngine: Piper (or espeak-ng) as a separate process, then ffmpeg. The segment's style
 * (emotion × narrator profile × conversation style, speechStyle) sets Piper's length scale and
 * sentence silence, the pitch shift and the gain. With a voice profile (voice matching) the
 * synthesised speech's own F0 median is measured (pitchOf) and the shift moves it onto the
 * profile's median, the style's semitones on top; the profile's pace scales the length. The
 * result is Opus in Ogg (48 kHz mono), written atomically; its duration is decoded from it.
 */
export class LocalSpeechEngine implements SpeechEngine {
  readonly name: string;
  private readonly tools: AudioToolOptions;

  constructor(private readonly options: LocalSpeechEngineOptions) {
    this.name = options.synthesiser.name;
    this.tools = options.tools ?? {};
  }

  async synthesise(request: SpeechRequest, outputPath: string): Promise<SpeechResult> {
    const profile = request.voice.profile;
    const style = speechStyle(request.emotion, request.narratorProfile, request.conversationStyle, { profile, engineCharsPerSecond: this.options.charsPerSecond });
    const dir = await mkdtemp(join(tmpdir(), 'narration-speech-'));
    try {
      const cloned = request.voice.provider === 'elevenlabs' && request.voice.providerVoiceId && this.options.elevenLabs;
      const speech = cloned ? await this.speakCloned(request, style, dir) : await this.speakLocally(request, style, dir);
      await this.encode(speech, outputPath, style.volumeDb);
      const info = await probeAudio(outputPath, this.tools);
      return { durationSeconds: info.durationSec, contentType: SPEECH_CONTENT_TYPE };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async speakLocally(request: SpeechRequest, style: SpeechStyle, dir: string): Promise<string> {
    const raw = join(dir, 'speech.wav');
    await this.options.synthesiser.synthesise(request.text, raw, { lengthScale: style.lengthScale, sentenceSilenceSec: style.sentenceSilenceSec });
    const profile = request.voice.profile;
    const ratio = pitchRatio(style, profile, profile ? await this.medianOf(raw) : undefined);
    if (Math.abs(ratio - 1) < PITCH_EPSILON) return raw;
    const shifted = join(dir, 'shifted.wav');
    await shiftPitch(raw, shifted, { ratio }, { ...this.tools, format: 'wav' });
    return shifted;
  }

  /** The cloned voice is the speaker's own: no pitch shift, the style goes into the provider's settings. */
  private async speakCloned(request: SpeechRequest, style: SpeechStyle, dir: string): Promise<string> {
    const path = join(dir, 'speech.mp3');
    const expressive = request.emotion !== 'neutral';
    const audio = await this.options.elevenLabs!.textToSpeech(request.voice.providerVoiceId!, request.text, {
      stability: expressive ? 0.35 : 0.6,
      similarityBoost: 0.8,
      style: expressive ? 0.4 : 0,
      speed: Math.min(1.2, Math.max(0.7, 1 / style.lengthScale)),
    });
    await writeFile(path, audio);
    return path;
  }

  /** Synthetic speech has few frames above pitchOf's default clarity (0.9); 0.8 finds about twice as many, same median, less noise. */
  private async medianOf(path: string): Promise<number | undefined> {
    try {
      return (await pitchOf(path, { ...this.tools, clarityThreshold: 0.8 })).f0MedianHz;
    } catch (err) {
      if (err instanceof NoPitchError) return undefined;
      throw err;
    }
  }

  /** Gain, then Opus in Ogg at 48 kHz mono. */
  private async encode(input: string, output: string, volumeDb: number): Promise<void> {
    const source = await audioInput(input);
    await writeAtomically(output, (temp) =>
      runTool(
        ffmpegOf(this.tools),
        ['-hide_banner', '-nostdin', '-v', 'error', '-i', source, '-map', '0:a:0', '-af', `volume=${volumeDb}dB`, '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg', '-y', temp],
        { timeoutMs: this.tools.timeoutMs ?? 300_000 },
      ),
    );
  }
}
