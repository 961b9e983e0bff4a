import type { AnalysedCharacter, AnalysedEmotion } from '../../application/ports/story-analyser.js';
import { CHARACTER_ROLES, type CharacterRole } from '../../domain/character-role.js';
import { EMOTIONS, type Emotion } from '../../domain/emotion.js';
import type { Sentence } from './segmentation.js';
import { clip, fold } from './text.js';

/**
 * Strict reading of an LLM's analysis JSON. Items are normalised when the intent is unambiguous
 * and dropped otherwise; only a reply that is not an analysis at all is an error.
 *
 * - emotion: lower-cased and trimmed; a synonym maps to the set ("happy" → joy, "scared" → fear,
 *   "anxiety" → fear, "calm" → neutral); anything else drops the item;
 * - intensity: a number (or numeric string) within 1..10, rounded; outside (0.7, 11, -3) drops the
 *   item (a 0..1 scale or an 11 is not unambiguous);
 * - segmentIndex: an integer sentence index within the chunk sent; missing or outside, the item
 *   is placed by its quote when the quote is found in one of the chunk's sentences, else dropped;
 * - quote: must be verbatim; when it is not found as is in its sentence, the sentence itself
 *   (clipped to 200 characters) is used instead;
 * - role: lower-cased; synonyms ("main character", "hero" → protagonist; "villain" → antagonist;
 *   "secondary", "minor" → supporting); anything else, or none, drops the character;
 * - name: required; a character whose name does not occur in the story (no word of it, 3+
 *   letters, found in the text) is dropped as invented, except a narrator;
 * - traits: strings (or one comma-separated string), trimmed, at most 10 of 60 characters.
 */
export class MalformedAnalysis extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAnalysis';
  }
}

const EMOTION_SYNONYMS: Record<string, Emotion> = {
  happy: 'joy', happiness: 'joy', joyful: 'joy', delight: 'joy', gladness: 'joy', cheerful: 'joy', amusement: 'joy',
  sad: 'sadness', sorrow: 'sadness', grief: 'sadness', melancholy: 'sadness', despair: 'sadness', unhappy: 'sadness',
  angry: 'anger', rage: 'anger', fury: 'anger', furious: 'anger', annoyance: 'anger', irritation: 'anger',
  afraid: 'fear', scared: 'fear', fearful: 'fear', terror: 'fear', anxiety: 'fear', anxious: 'fear', dread: 'fear', horror: 'fear', panic: 'fear',
  surprised: 'surprise', astonishment: 'surprise', amazement: 'surprise', shock: 'surprise', shocked: 'surprise',
  disgusted: 'disgust', revulsion: 'disgust',
  contemptuous: 'contempt', scorn: 'contempt', disdain: 'contempt',
  affection: 'love', tenderness: 'love', loving: 'love', adoration: 'love',
  curious: 'curiosity', interest: 'curiosity', intrigue: 'curiosity', wonder: 'curiosity',
  excited: 'excitement', enthusiasm: 'excitement', thrill: 'excitement', anticipation: 'excitement', eagerness: 'excitement',
  calm: 'neutral', none: 'neutral',
  // Spanish names, in case the model answers in the story's language.
  alegria: 'joy', tristeza: 'sadness', ira: 'anger', enojo: 'anger', miedo: 'fear', sorpresa: 'surprise', asco: 'disgust',
  desprecio: 'contempt', amor: 'love', curiosidad: 'curiosity', emocion: 'excitement', entusiasmo: 'excitement', neutral: 'neutral',
};

const ROLE_SYNONYMS: Record<string, CharacterRole> = {
  'main character': 'protagonist', main: 'protagonist', hero: 'protagonist', heroine: 'protagonist', lead: 'protagonist', protagonista: 'protagonist',
  villain: 'antagonist', villainess: 'antagonist', antagonista: 'antagonist',
  secondary: 'supporting', 'secondary character': 'supporting', 'supporting character': 'supporting', minor: 'supporting', 'minor character': 'supporting', secundario: 'supporting',
  narrador: 'narrator', 'the narrator': 'narrator',
  otro: 'other',
};

const MAX_TRAITS = 10;
/** Words that say nothing about who a name is ("The Wolf": only "wolf" must occur). */
const NAME_FILLERS = new Set(['the', 'and', 'los', 'las', 'del', 'una', 'mr', 'mrs', 'miss', 'sir', 'don', 'dona', 'little', 'old', 'big']);

export interface ChunkContext {
  content: string;
  /** Sentences of the chunk sent (global indexes). */
  sentences: readonly Sentence[];
}

export interface ParsedAnalysis {
  characters: AnalysedCharacter[];
  emotions: AnalysedEmotion[];
  /** How many items were dropped (for logs). */
  dropped: number;
}

/** The JSON object inside a chat completion's message content (code fences tolerated). */
export function parseJsonContent(content: string): unknown {
  let text = content.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(text);
  if (fenced) text = fenced[1]!;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedAnalysis('the model reply is not valid JSON');
  }
}

export function readAnalysis(value: unknown, chunk: ChunkContext): ParsedAnalysis {
  if (!isRecord(value)) throw new MalformedAnalysis('the model reply is not a JSON object');
  const rawCharacters = value['characters'];
  const rawEmotions = value['emotions'];
  if (!Array.isArray(rawCharacters) && !Array.isArray(rawEmotions)) {
    throw new MalformedAnalysis('the model reply has neither a "characters" nor an "emotions" array');
  }
  let dropped = 0;
  const foldedContent = fold(chunk.content);
  const characters: AnalysedCharacter[] = [];
  for (const item of Array.isArray(rawCharacters) ? rawCharacters : []) {
    const c = readCharacter(item, foldedContent);
    if (c) characters.push(c);
    else dropped++;
  }
  const emotions: AnalysedEmotion[] = [];
  for (const item of Array.isArray(rawEmotions) ? rawEmotions : []) {
    const e = readEmotion(item, chunk);
    if (e) emotions.push(e);
    else dropped++;
  }
  return { characters, emotions, dropped };
}

function readCharacter(item: unknown, foldedContent: string): AnalysedCharacter | undefined {
  if (!isRecord(item)) return undefined;
  const name = text(item['name'], 200);
  if (!name) return undefined;
  const role = normaliseRole(item['role']);
  if (!role) return undefined;
  if (role !== 'narrator' && !nameOccurs(name, foldedContent)) return undefined;
  return {
    name,
    description: text(item['description'], 1000) ?? '',
    personality: text(item['personality'], 1000) ?? '',
    role,
    traits: readTraits(item['traits']),
  };
}

function readEmotion(item: unknown, chunk: ChunkContext): AnalysedEmotion | undefined {
  if (!isRecord(item)) return undefined;
  const emotion = normaliseEmotion(item['emotion']);
  if (!emotion) return undefined;
  const intensity = normaliseIntensity(item['intensity']);
  if (intensity === undefined) return undefined;
  const quote = text(item['quote'], 2000) ?? '';
  const first = chunk.sentences[0]?.index ?? 0;
  const last = chunk.sentences[chunk.sentences.length - 1]?.index ?? -1;
  let index = toInteger(item['segmentIndex'] ?? item['segment_index'] ?? item['segment']);
  if (index === undefined || index < first || index > last) index = quote ? findQuote(quote, chunk.sentences) : undefined;
  if (index === undefined) return undefined;
  const sentence = chunk.sentences[index - first]!;
  const verbatim = quote !== '' && quote.length <= 300 && sentence.text.includes(quote) ? quote : clip(sentence.text, 200);
  return {
    emotion,
    intensity,
    context: text(item['context'], 300) ?? '',
    quote: verbatim,
    segmentIndex: index,
  };
}

export function normaliseEmotion(value: unknown): Emotion | undefined {
  if (typeof value !== 'string') return undefined;
  const v = fold(value).trim().replace(/[\s_-]+/g, ' ');
  if ((EMOTIONS as readonly string[]).includes(v)) return v as Emotion;
  return EMOTION_SYNONYMS[v];
}

export function normaliseRole(value: unknown): CharacterRole | undefined {
  if (typeof value !== 'string') return undefined;
  const v = fold(value).trim().replace(/[\s_-]+/g, ' ');
  if ((CHARACTER_ROLES as readonly string[]).includes(v)) return v as CharacterRole;
  return ROLE_SYNONYMS[v];
}

/** 1..10 (rounded) or undefined; numeric strings count, other scales do not. */
export function normaliseIntensity(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 1 || n > 10) return undefined;
  return Math.round(n);
}

function readTraits(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const out: string[] = [];
  for (const t of raw) {
    const s = text(t, 60);
    if (s && !out.some((o) => o.toLowerCase() === s.toLowerCase())) out.push(s);
    if (out.length >= MAX_TRAITS) break;
  }
  return out;
}

function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.replace(/\s+/g, ' ').trim();
  return t === '' ? undefined : clip(t, max);
}

function toInteger(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) ? n : undefined;
}

function squash(s: string): string {
  return fold(s).replace(/[“”«»"]/g, '"').replace(/[‘’]/g, "'").replace(/\s+/g, ' ').replace(/[….]+$/, '').trim();
}

function findQuote(quote: string, sentences: readonly Sentence[]): number | undefined {
  const q = squash(quote);
  if (q.length < 8) return undefined;
  return sentences.find((s) => squash(s.text).includes(q))?.index;
}

function nameOccurs(name: string, foldedContent: string): boolean {
  const words = fold(name)
    .split(/[^\p{L}\p{M}\d]+/u)
    .filter((w) => w.length >= 3 && !NAME_FILLERS.has(w));
  if (words.length === 0) return foldedContent.includes(fold(name).trim());
  return words.some((w) => new RegExp(`(?:^|[^\\p{L}\\p{M}])${escapeRegExp(w)}`, 'u').test(foldedContent));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
