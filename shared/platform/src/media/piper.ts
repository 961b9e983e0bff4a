import { writeAtomically } from './atomic-output.js';
import { runTool } from './media-process.js';
import type { PiperVoiceFiles } from './media-tool-paths.js';
import { checkSpeechOptions, speechText, type SpeechOptions, type SpeechSynthesiser } from './speech-synthesiser.js';

export interface PiperOptions {
  /** The venv's `piper` script (locateMediaTools). */
  piper: string;
  voice: PiperVoiceFiles;
  /** Loading the model takes about a second; long texts take a few more. */
  timeoutMs?: number;
}

/**
 * Neural speech with Piper (piper-tts, GPL-3.0): always a separate process, never a library in
 * ours, which keeps the platform's licence its own. One process per call loads the model anew
 * (about 0.7 s); a long-lived worker is the next step when narration volume needs it.
 */
export class PiperSynthesiser implements SpeechSynthesiser {
  readonly name: string;

  constructor(private readonly options: PiperOptions) {
    this.name = `piper:${options.voice.name}`;
  }

  async synthesise(text: string, outputWav: string, options: SpeechOptions = {}): Promise<void> {
    const line = speechText(text);
    checkSpeechOptions(options);
    await writeAtomically(outputWav, async (temp) => {
      const args = ['--model', this.options.voice.model, '--config', this.options.voice.config, '--output-file', temp];
      if (options.lengthScale !== undefined) args.push('--length-scale', String(options.lengthScale));
      if (options.sentenceSilenceSec !== undefined) args.push('--sentence-silence', String(options.sentenceSilenceSec));
      // The text goes in on stdin: piper speaks any argument it does not know, flags included.
      await runTool(this.options.piper, args, { input: `${line}\n`, timeoutMs: this.options.timeoutMs ?? 120_000 });
    });
  }
}
