import type { Emotion } from './emotion.js';
import type { SegmentDraft } from './segmentation.js';

/** Narration audio is Opus in Ogg (the speech engine's output and the joined file). */
export const NARRATION_AUDIO_CONTENT_TYPE = 'audio/ogg';

/** A stored audio object and its duration, measured from the file. */
export interface StoredAudio {
  objectKey: string;
  durationSeconds: number;
}

/**
 * One segment of a narration: its text, emotion, the voice that speaks it and, once
 * synthesised, its audio. `revision` counts syntheses: each one is stored under a new key
 * (`segments/<index>-<revision>.ogg`), so a signed URL never serves changed bytes.
 */
export interface Segment {
  index: number;
  text: string;
  emotion: Emotion;
  voiceId: string;
  /** The character speaking (attributed speech), or null for narration. */
  characterId: string | null;
  revision: number;
  audio: StoredAudio | null;
}

/** Where every object of one owner's narrations lives: erasure deletes this prefix. */
export function narrationsPrefix(ownerId: string): string {
  return `narrations/${ownerId}/`;
}

export function segmentObjectKey(ownerId: string, narrationId: string, index: number, revision: number): string {
  return `${narrationsPrefix(ownerId)}${narrationId}/segments/${index}-${revision}.ogg`;
}

/** The whole narration, `n`-th version (a regeneration makes the next one). */
export function narrationObjectKey(ownerId: string, narrationId: string, n: number): string {
  return `${narrationsPrefix(ownerId)}${narrationId}/narration-${n}.ogg`;
}

/** The characters `characterVoices` gives a voice other than the narrator's: their speech is a segment of its own. */
export function voicedCharacters(characterVoices: Readonly<Record<string, string>>, narratorVoiceId: string): Set<string> {
  return new Set(Object.entries(characterVoices).filter(([, voice]) => voice !== narratorVoiceId).map(([character]) => character));
}

/** Drafts with their voices: a speaking character's voice from `characterVoices`, else the narrator's. */
export function voiceSegments(drafts: readonly SegmentDraft[], voiceId: string, characterVoices: Readonly<Record<string, string>>): Segment[] {
  return drafts.map((d) => ({
    index: d.index,
    text: d.text,
    emotion: d.emotion,
    voiceId: (d.characterId && characterVoices[d.characterId]) || voiceId,
    characterId: d.characterId,
    revision: 0,
    audio: null,
  }));
}
