import { EspeakSynthesiser, PiperSynthesiser, getLogger, locateMediaTools, type MediaToolPaths } from '@storytelling/platform';
import type { SpeechEngine } from '../../application/ports/index.js';
import type { ElevenLabsClient } from '../cloning/elevenlabs-client.js';
import { LocalSpeechEngine } from './local-speech-engine.js';

/**
 * The engines' own pace at length scale 1, characters per second, measured on narration text
 * (Piper's joe voice 19.4 on a lighthouse paragraph, espeak-ng at 160 wpm 15.2): a voice
 * profile's measured pace is compared with it.
 */
export const PIPER_CHARS_PER_SECOND = 17;
export const ESPEAK_CHARS_PER_SECOND = 15;

export interface SpeechEngineSettings {
  /** NARRATION_SPEECH_ENGINE. */
  engine: 'piper' | 'espeak';
  /** MEDIA_TOOLS_DIR: where Piper's venv manifest is. */
  toolsDir?: string | undefined;
  elevenLabs?: ElevenLabsClient | undefined;
  /** Found by locateMediaTools unless given. */
  tools?: MediaToolPaths;
}

/**
 * Piper with the packaged voice when asked for and installed; espeak-ng otherwise. Which one
 * speaks is logged at start (a fallback as a warning).
 */
export function createSpeechEngine(settings: SpeechEngineSettings): SpeechEngine {
  const log = getLogger('speech');
  const tools = settings.tools ?? locateMediaTools(settings.toolsDir ? { toolsDir: settings.toolsDir } : {});
  const audio = { ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe };
  const elevenLabs = settings.elevenLabs ? { elevenLabs: settings.elevenLabs } : {};
  if (settings.engine === 'piper' && tools.piper && tools.piperVoice) {
    const engine = new LocalSpeechEngine({ synthesiser: new PiperSynthesiser({ piper: tools.piper, voice: tools.piperVoice }), charsPerSecond: PIPER_CHARS_PER_SECOND, tools: audio, ...elevenLabs });
    log.info({ engine: engine.name }, 'speech engine: Piper');
    return engine;
  }
  const engine = new LocalSpeechEngine({ synthesiser: new EspeakSynthesiser({ espeakNg: tools.espeakNg }), charsPerSecond: ESPEAK_CHARS_PER_SECOND, tools: audio, ...elevenLabs });
  if (settings.engine === 'piper') log.warn({ engine: engine.name }, 'Piper is not installed (npm run bootstrap installs it): espeak-ng speaks instead');
  else log.info({ engine: engine.name }, 'speech engine: espeak-ng');
  return engine;
}
