import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PiperVoiceFiles {
  name: string;
  model: string;
  config: string;
}

/** Where the audio tools are. Names without a folder are looked up on PATH. */
export interface MediaToolPaths {
  ffmpeg: string;
  ffprobe: string;
  espeakNg: string;
  /** null when the Piper venv is not installed. */
  piper: string | null;
  piperVoice: PiperVoiceFiles | null;
  /** moto's S3 server (tests only). */
  motoServer: string | null;
}

/** The part of `.tools/venv/media-tools.json` (written by scripts/lib/media-tools.mjs) read here. */
interface VenvManifest {
  piper?: unknown;
  motoServer?: unknown;
  voice?: { name?: unknown; model?: unknown; config?: unknown };
}

function existing(value: unknown): string | null {
  return typeof value === 'string' && existsSync(value) ? value : null;
}

function readManifest(toolsDir: string | undefined): VenvManifest {
  if (!toolsDir) return {};
  try {
    return JSON.parse(readFileSync(join(toolsDir, 'venv', 'media-tools.json'), 'utf8')) as VenvManifest;
  } catch {
    return {}; // not installed (yet): Piper stays null, espeak-ng is the fallback
  }
}

/**
 * Finds the audio tools: explicit variables first (FFMPEG_PATH, FFPROBE_PATH, ESPEAK_NG_PATH,
 * PIPER_PATH, PIPER_MODEL, PIPER_MODEL_CONFIG: containers install them elsewhere), then the
 * manifest of the project's venv under `toolsDir` (the repository's `.tools`), then PATH.
 */
export function locateMediaTools(options: { toolsDir?: string; env?: NodeJS.ProcessEnv } = {}): MediaToolPaths {
  const env = options.env ?? process.env;
  const manifest = readManifest(options.toolsDir);
  const model = existing(env.PIPER_MODEL) ?? existing(manifest.voice?.model);
  const config = existing(env.PIPER_MODEL_CONFIG) ?? (model && existsSync(`${model}.json`) ? `${model}.json` : existing(manifest.voice?.config));
  const voiceName = env.PIPER_MODEL ? (model?.split('/').at(-1)?.replace(/\.onnx$/, '') ?? 'custom') : typeof manifest.voice?.name === 'string' ? manifest.voice.name : 'unknown';
  return {
    ffmpeg: env.FFMPEG_PATH || 'ffmpeg',
    ffprobe: env.FFPROBE_PATH || 'ffprobe',
    espeakNg: env.ESPEAK_NG_PATH || 'espeak-ng',
    piper: existing(env.PIPER_PATH) ?? existing(manifest.piper),
    piperVoice: model && config ? { name: voiceName, model, config } : null,
    motoServer: existing(manifest.motoServer),
  };
}
