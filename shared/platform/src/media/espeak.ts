import { writeAtomically } from './atomic-output.js';
import { runTool } from './media-process.js';
import type { MediaToolPaths } from './media-tool-paths.js';
import { PiperSynthesiser } from './piper.js';
import { checkSpeechOptions, speechText, type SpeechOptions, type SpeechSynthesiser } from './speech-synthesiser.js';

export interface EspeakOptions {
  espeakNg?: string;
  /** An espeak-ng voice (`espeak-ng --voices`). */
  voice?: string;
  /** Words per minute at lengthScale 1; espeak-ng's own default is 175, a little fast for stories. */
  wordsPerMinute?: number;
  timeoutMs?: number;
}

/** Formant speech with espeak-ng: robotic, but always there (a Debian package, no model). */
export class EspeakSynthesiser implements SpeechSynthesiser {
  readonly name: string;

  constructor(private readonly options: EspeakOptions = {}) {
    this.name = `espeak-ng:${options.voice ?? 'en-us'}`;
  }

  async synthesise(text: string, outputWav: string, options: SpeechOptions = {}): Promise<void> {
    const line = speechText(text);
    checkSpeechOptions(options);
    const speed = Math.round((this.options.wordsPerMinute ?? 160) / (options.lengthScale ?? 1));
    await writeAtomically(outputWav, async (temp) => {
      // sentenceSilenceSec has no espeak-ng equivalent (-g spaces words, not sentences): ignored.
      const args = ['-v', this.options.voice ?? 'en-us', '-s', String(speed), '-w', temp, '--stdin'];
      await runTool(this.options.espeakNg ?? (process.env.ESPEAK_NG_PATH || 'espeak-ng'), args, { input: line, timeoutMs: this.options.timeoutMs ?? 60_000 });
    });
  }
}

/** Piper with the packaged voice when installed, else espeak-ng. */
export function defaultSpeechSynthesiser(tools: MediaToolPaths): SpeechSynthesiser {
  if (tools.piper && tools.piperVoice) return new PiperSynthesiser({ piper: tools.piper, voice: tools.piperVoice });
  return new EspeakSynthesiser({ espeakNg: tools.espeakNg });
}
