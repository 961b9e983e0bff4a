// Real audio for the media tests, made on the spot by ffmpeg's own generators (lavfi).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateMediaTools, runTool, type MediaToolPaths } from '../../src/media/index.js';
import { toolsRoot } from '../../../../scripts/lib/paths.mjs';

export const tools: MediaToolPaths = locateMediaTools({ toolsDir: toolsRoot() });

export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `media-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ToneOptions {
  frequencyHz?: number;
  durationSec?: number;
  sampleRate?: number;
  /** Gain applied to lavfi's sine (whose peak is 1/8 full scale, about -18 dBFS). */
  gainDb?: number;
  /** Output by extension: .wav, .ogg (Opus), .webm (Opus, written to a pipe so it carries no duration). */
  file: string;
}

export async function tone(dir: string, options: ToneOptions): Promise<string> {
  const path = join(dir, options.file);
  const source = `sine=frequency=${options.frequencyHz ?? 220}:sample_rate=${options.sampleRate ?? 22050}:duration=${options.durationSec ?? 2}`;
  const filters = options.gainDb !== undefined ? ['-af', `volume=${options.gainDb}dB`] : [];
  const codec = path.endsWith('.ogg') ? ['-c:a', 'libopus', '-ar', '48000'] : path.endsWith('.webm') ? ['-c:a', 'libopus', '-ar', '48000', '-f', 'webm'] : ['-c:a', 'pcm_s16le'];
  if (path.endsWith('.webm')) {
    // Like a browser's MediaRecorder: streamed out, so the header never gets the duration.
    const { stdout } = await runTool(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', source, ...filters, '-ac', '1', ...codec, 'pipe:1']);
    writeFileSync(path, stdout);
    return path;
  }
  await runTool(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', source, ...filters, '-ac', '1', ...codec, '-y', path]);
  return path;
}

export async function silence(dir: string, file: string, durationSec = 1): Promise<string> {
  const path = join(dir, file);
  await runTool(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', `anullsrc=r=22050:cl=mono`, '-t', String(durationSec), '-c:a', 'pcm_s16le', '-y', path]);
  return path;
}
