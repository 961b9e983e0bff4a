export interface SpeechOptions {
  /** Speaking time multiplier: 1 normal, 1.2 slower, 0.8 faster. */
  lengthScale?: number;
  /** Silence after each sentence, seconds. */
  sentenceSilenceSec?: number;
}

/** Text to a WAV file. Piper (neural) normally, espeak-ng (formant) where Piper is not installed. */
export interface SpeechSynthesiser {
  readonly name: string;
  synthesise(text: string, outputWav: string, options?: SpeechOptions): Promise<void>;
}

/** More than a narration segment should ever hold: longer text is a bug upstream, not a job. */
export const MAX_SPEECH_TEXT_LENGTH = 5_000;

/**
 * The text as one paragraph. Both engines treat a line break as "start over": Piper synthesises
 * each line separately with no sentence silence between them, espeak-ng may pause oddly.
 */
export function speechText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length === 0) throw new Error('nothing to say: the text is empty');
  if (flat.length > MAX_SPEECH_TEXT_LENGTH) throw new Error(`text of ${flat.length} characters is longer than ${MAX_SPEECH_TEXT_LENGTH}`);
  return flat;
}

export function checkSpeechOptions(options: SpeechOptions): void {
  if (options.lengthScale !== undefined && !(options.lengthScale >= 0.25 && options.lengthScale <= 4)) throw new Error(`lengthScale must be within 0.25..4, got ${options.lengthScale}`);
  if (options.sentenceSilenceSec !== undefined && !(options.sentenceSilenceSec >= 0 && options.sentenceSilenceSec <= 5)) {
    throw new Error(`sentenceSilenceSec must be within 0..5, got ${options.sentenceSilenceSec}`);
  }
}
