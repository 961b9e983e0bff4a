import { concatWithPauses, probeAudio, type AudioToolOptions } from '@storytelling/platform';
import type { AudioJoiner } from '../../application/ports/index.js';

/**
 * The whole narration with ffmpeg (platform concatWithPauses): every segment brought to one
 * sample format, `pauseMs` of silence after each but the last, encoded as Opus in Ogg at 48 kHz
 * and written atomically; its duration is then decoded from the output (probeAudio).
 */
export class FfmpegAudioJoiner implements AudioJoiner {
  constructor(private readonly tools: AudioToolOptions = {}) {}

  async join(inputs: readonly string[], pauseMs: number, output: string): Promise<{ durationSeconds: number }> {
    await concatWithPauses(inputs, pauseMs, output, { ...this.tools, format: 'ogg-opus' });
    const info = await probeAudio(output, this.tools);
    return { durationSeconds: info.durationSec };
  }
}
