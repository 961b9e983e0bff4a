// Real audio for the voice tests, made on the spot: Piper's speech (espeak-ng where Piper is not
// installed), the same speech shifted by ffmpeg (rubberband) to play another speaker, and
// ffmpeg's own generators (lavfi) for tones and silence.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSpeechSynthesiser, locateMediaTools, runTool, shiftPitch, type MediaToolPaths } from '@storytelling/platform';
import { toolsRoot } from '../../../../scripts/lib/paths.mjs';

export const tools: MediaToolPaths = locateMediaTools({ toolsDir: toolsRoot() });
export const audioTools = { ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe };
export const TOOLS_DIR = toolsRoot();

/** A scratch folder for one test file. */
export function voiceScratch(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `voice-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the stock engine says (Piper's joe voice, an F0 median near 93 Hz). */
export async function speech(dir: string, file: string, text: string): Promise<string> {
  const path = join(dir, file);
  await defaultSpeechSynthesiser(tools).synthesise(text, path);
  return path;
}

/** Speech of "another speaker": the stock engine's, `semitones` higher or lower (rubberband), as WAV. */
export async function speakerSample(dir: string, file: string, text: string, semitones: number): Promise<string> {
  const raw = await speech(dir, `raw-${file}.wav`, text);
  const path = join(dir, file);
  await shiftPitch(raw, path, { semitones }, { ...audioTools, format: 'wav' });
  return path;
}

/** A sine from lavfi: `.wav` (PCM) or `.mp3`. */
export async function tone(dir: string, file: string, durationSec: number, frequencyHz = 220): Promise<string> {
  const path = join(dir, file);
  const codec = file.endsWith('.mp3') ? ['-c:a', 'libmp3lame'] : ['-c:a', 'pcm_s16le'];
  await runTool(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:sample_rate=22050:duration=${durationSec}`, '-ac', '1', ...codec, '-y', path]);
  return path;
}

/** Digital silence, as a WAV. */
export async function silence(dir: string, file: string, durationSec: number): Promise<string> {
  const path = join(dir, file);
  await runTool(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=22050:cl=mono', '-t', String(durationSec), '-c:a', 'pcm_s16le', '-y', path]);
  return path;
}

/** A text file with an audio name. */
export function textFile(dir: string, file: string): string {
  const path = join(dir, file);
  writeFileSync(path, 'RIFF? No: these are the minutes of the last family meeting.\n');
  return path;
}

/** Lines a speaker reads for their samples, one per emotion. */
export const SAMPLE_LINES: Record<string, string> = {
  joy: 'What a wonderful morning, the sun is shining over the sea!',
  sadness: 'The old lighthouse keeper missed his friend every single night.',
  anger: 'Who left the gate open again and let the goats into the garden?',
  fear: 'Something moved in the dark behind the door, and the candle went out.',
  neutral: 'The ship came into the harbour at six in the evening.',
  surprise: 'A letter, after all these years, and it was addressed to me!',
};
