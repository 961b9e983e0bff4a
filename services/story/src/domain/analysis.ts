import { isCharacterRole, type CharacterRole } from './character-role.js';
import { isEmotion, normaliseIntensity, type Emotion } from './emotion.js';
import type { StoryStatus } from './story-status.js';

/** Analyses are stored per (story, type) (seed table story_analyses). */
export const ANALYSIS_TYPES = ['characters', 'emotions'] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

export interface CharacterDraft {
  name: string;
  description: string;
  personality: string;
  role: CharacterRole;
  traits: string[];
}

export interface StoredCharacter extends CharacterDraft {
  id: string;
}

export interface EmotionMoment {
  emotion: Emotion;
  intensity: number;
  context: string;
  quote: string;
  segmentIndex: number;
}

export interface NormalisedAnalysis {
  characters: CharacterDraft[];
  emotions: EmotionMoment[];
}

export const ANALYSIS_LIMITS = {
  characters: 100,
  emotions: 1000,
  name: 200,
  text: 2000,
  traits: 20,
  trait: 100,
} as const;

/** The analyser's answer is not an analysis at all (not retryable: the same input gives the same answer). */
export class InvalidAnalysisError extends Error {
  readonly code = 'ANALYSIS_INVALID_RESULT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAnalysisError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function text(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim().normalize('NFC');
  const chars = [...clean];
  return chars.length > max ? chars.slice(0, max).join('') : clean;
}

/** Key two character names are the same character by (case and spacing insensitive). */
export function characterKey(name: string): string {
  return name.normalize('NFKC').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
}

/**
 * Validates and normalises whatever an analyser returned, so adapters need not be perfect:
 * characters without a name are dropped, duplicates (same name, any case) merged (first wins,
 * traits united), unknown roles become `other`; emotions outside the emotion set are dropped,
 * intensities rounded and clamped to 1..10, negative or non-integer segment indexes fixed;
 * lengths and counts capped (ANALYSIS_LIMITS). @throws InvalidAnalysisError when the shape is wrong.
 */
export function normaliseAnalysis(raw: unknown): NormalisedAnalysis {
  if (!isObject(raw) || !Array.isArray(raw.characters) || !Array.isArray(raw.emotions)) {
    throw new InvalidAnalysisError('the analyser answered without characters and emotions lists');
  }
  const byKey = new Map<string, CharacterDraft>();
  for (const c of raw.characters) {
    if (!isObject(c)) continue;
    const name = text(c.name, ANALYSIS_LIMITS.name);
    if (name === '') continue;
    const traits = (Array.isArray(c.traits) ? c.traits : []).map((t) => text(t, ANALYSIS_LIMITS.trait)).filter((t) => t !== '');
    const key = characterKey(name);
    const existing = byKey.get(key);
    if (existing) {
      for (const t of traits) if (!existing.traits.includes(t) && existing.traits.length < ANALYSIS_LIMITS.traits) existing.traits.push(t);
      continue;
    }
    if (byKey.size >= ANALYSIS_LIMITS.characters) continue;
    byKey.set(key, {
      name,
      description: text(c.description, ANALYSIS_LIMITS.text),
      personality: text(c.personality, ANALYSIS_LIMITS.text),
      role: isCharacterRole(c.role) ? c.role : 'other',
      traits: [...new Set(traits)].slice(0, ANALYSIS_LIMITS.traits),
    });
  }
  const emotions: EmotionMoment[] = [];
  for (const e of raw.emotions) {
    if (emotions.length >= ANALYSIS_LIMITS.emotions) break;
    if (!isObject(e)) continue;
    const emotion = typeof e.emotion === 'string' ? e.emotion.trim().toLowerCase() : e.emotion;
    const intensity = normaliseIntensity(e.intensity);
    if (!isEmotion(emotion) || intensity === undefined) continue;
    const segment = typeof e.segmentIndex === 'number' && Number.isFinite(e.segmentIndex) ? Math.max(0, Math.floor(e.segmentIndex)) : 0;
    emotions.push({
      emotion,
      intensity,
      context: text(e.context, ANALYSIS_LIMITS.text),
      quote: text(e.quote, ANALYSIS_LIMITS.text),
      segmentIndex: Math.min(segment, 2_147_483_647),
    });
  }
  return { characters: [...byKey.values()], emotions };
}

/**
 * Character ids stay stable across re-analyses: a character whose name (by characterKey) was
 * already known keeps its id, so references from other contexts (a collaborator assigned to a
 * character) survive an edit of the story.
 */
export function assignCharacterIds(drafts: readonly CharacterDraft[], previous: readonly StoredCharacter[], newId: () => string): StoredCharacter[] {
  const known = new Map(previous.map((c) => [characterKey(c.name), c.id]));
  return drafts.map((d) => ({ id: known.get(characterKey(d.name)) ?? newId(), ...d }));
}

/** The most frequent emotion (ties: the higher total intensity, then set order), or `neutral`. */
export function dominantEmotion(emotions: readonly EmotionMoment[]): Emotion {
  const score = new Map<Emotion, { n: number; sum: number }>();
  for (const e of emotions) {
    const s = score.get(e.emotion) ?? { n: 0, sum: 0 };
    s.n += 1;
    s.sum += e.intensity;
    score.set(e.emotion, s);
  }
  let best: Emotion = 'neutral';
  let bestScore = { n: 0, sum: 0 };
  for (const [emotion, s] of score) {
    if (s.n > bestScore.n || (s.n === bestScore.n && s.sum > bestScore.sum)) {
      best = emotion;
      bestScore = s;
    }
  }
  return best;
}

/** What GetAnalysis reports (docs/adr/0007-story.md). */
export type AnalysisStatus = 'none' | 'analyzing' | 'analyzed' | 'failed' | 'stale';

export interface AnalysisFacts {
  storyStatus: StoryStatus;
  storyContentHash: string;
  /** The stored analysis (both types are written together). */
  stored?: { contentHash: string; createdAt: Date } | undefined;
  /** The newest job that failed, if any. */
  lastFailure?: { contentHash: string; failedAt: Date } | undefined;
}

/**
 * The status of the analysis of the story's CURRENT content: analysing while the story is;
 * analysed when the story is (its stored results are for this content); failed when the newest
 * failed job was for this content and nothing newer replaced it; analysed when stored results
 * happen to be for this content (a draft whose content went back to an analysed version); stale
 * when they are for another content; else none.
 */
export function analysisStatus(f: AnalysisFacts): AnalysisStatus {
  if (f.storyStatus === 'analyzing') return 'analyzing';
  const storedCurrent = f.stored !== undefined && f.stored.contentHash === f.storyContentHash;
  if (storedCurrent && (f.storyStatus === 'analyzed' || f.storyStatus === 'published')) return 'analyzed';
  const failedCurrent = f.lastFailure !== undefined && f.lastFailure.contentHash === f.storyContentHash;
  if (failedCurrent && (!storedCurrent || f.lastFailure!.failedAt > f.stored!.createdAt)) return 'failed';
  if (storedCurrent) return 'analyzed';
  if (f.stored !== undefined) return 'stale';
  return 'none';
}
