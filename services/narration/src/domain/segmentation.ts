import type { Emotion } from './emotion.js';

/**
 * How a story becomes narration segments (DOMAIN.md § Narration: "Segmentation follows the
 * story's sentences and its analysed emotions"). Pure: the story's text and analysis come in
 * through the story ACL (application/ports/story-source.ts) already in this context's terms.
 *
 * 1. Sentences, by the rules story's analysers number them with (an analysis names a sentence by
 *    its 0-based index): a blank line ends a paragraph and a sentence; `.` `!` `?` `…` (and runs
 *    of them, with closing quotes or brackets) end a sentence when a space and then an upper-case
 *    letter, a digit or an opening quote/bracket/dash follows; a period after an abbreviation
 *    (Mr, Dr, St, …) or a single capital initial does not; a sentence over 600 characters is cut
 *    at its last `;` `:` `,` or space before the limit.
 * 2. Emotions: each analysed moment is placed on the sentence its quote is found in (the sentence
 *    it names first, then any), else on the sentence it names; the strongest moment of a sentence
 *    is its emotion, `neutral` for a sentence without one.
 * 3. Speakers: inside a paragraph, text between quotation marks (" “” «» ‘’, which may span
 *    sentences) is speech. Speech is attributed to the character named nearest to it in the
 *    narration around it (after it first: `"…," said Mira`; then before it: `Mira said: "…"`;
 *    then the paragraph's only named character). Speech attributed to a character that speaks
 *    in a voice of its own (`voiced`: the characters `characterVoices` gives another voice than
 *    the narrator's; all of them when not given) becomes pieces of its own, carrying the
 *    character; other speech stays with the narration around it (no voice changes there, and
 *    every segment is one more synthesis).
 * 4. Pieces longer than MAX_SEGMENT_CHARS are cut at a clause (`;` `:` `,`) or a space; then
 *    consecutive pieces with the same emotion and speaker are joined while the joined text stays
 *    within MAX_SEGMENT_CHARS. A segment therefore never crosses a sentence boundary in the
 *    middle of a sentence, and every segment has exactly one emotion and at most one speaker.
 */
export const MAX_SEGMENT_CHARS = 500;
/** Story's analysers cut over-long sentences at this length (their sentence indexes count the cuts). */
export const MAX_SENTENCE_CHARS = 600;

export interface Sentence {
  index: number;
  /** 0-based paragraph (blank-line separated) the sentence belongs to. */
  paragraph: number;
  /** Whitespace collapsed, trimmed. */
  text: string;
}

/** A character of the analysed story, by this context's need: who may speak. */
export interface StoryCharacter {
  id: string;
  name: string;
}

/** An analysed emotion moment: the sentence it names and the text it quotes. */
export interface EmotionMoment {
  emotion: Emotion;
  intensity: number;
  quote: string;
  sentenceIndex: number;
}

export interface SegmentationInput {
  content: string;
  characters: readonly StoryCharacter[];
  emotions: readonly EmotionMoment[];
}

export interface SegmentationOptions {
  /** Characters whose speech is split off (they speak in a voice of their own); default: every character. */
  voiced?: ReadonlySet<string>;
}

/** A segment before voices are chosen. */
export interface SegmentDraft {
  index: number;
  text: string;
  emotion: Emotion;
  /** The character speaking (attributed speech), or null for narration. */
  characterId: string | null;
}

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'mme', 'mlle', 'dr', 'st', 'jr', 'sr', 'sra', 'srta', 'sres', 'dña', 'dn', 'ud', 'uds', 'vd', 'vds', 'prof', 'capt', 'col',
  'gen', 'lt', 'sgt', 'mt', 'rev', 'hon', 'gov', 'vs', 'etc', 'no', 'nos', 'vol', 'fig', 'approx', 'e.g', 'i.e', 'cf', 'dept', 'est', 'inc', 'ltd', 'co',
]);
const CLOSING = `"'”’»)\\]}`;
const OPENING = `"'“‘«([¿¡—-`;
/** A run of terminators, the closing marks after it, and what follows (spaces, then one character). */
const BOUNDARY = new RegExp(`[.!?…]+[${CLOSING}]*`, 'gu');
const STARTS_SENTENCE = new RegExp(`^\\s+(?:\\p{Lu}|\\p{Nd}|[${OPENING}])`, 'u');

/** The story's sentences (see the module comment, rule 1). */
export function splitSentences(content: string): Sentence[] {
  const sentences: Sentence[] = [];
  const paragraphs = content.split(/\n[ \t\r\f\v]*\n/);
  let paragraph = 0;
  for (const raw of paragraphs) {
    const text = raw.replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    for (const sentence of sentencesOf(text)) {
      for (const part of cutLong(sentence, MAX_SENTENCE_CHARS)) sentences.push({ index: sentences.length, paragraph, text: part });
    }
    paragraph += 1;
  }
  return sentences;
}

function sentencesOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of text.matchAll(BOUNDARY)) {
    const end = match.index + match[0].length;
    if (end >= text.length) break;
    if (match[0] === '.' && isAbbreviation(text, match.index)) continue;
    if (!STARTS_SENTENCE.test(text.slice(end, end + 3))) continue;
    out.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest !== '') out.push(rest);
  return out.filter((s) => s !== '');
}

function isAbbreviation(text: string, dot: number): boolean {
  const word = /[\p{L}.]*$/u.exec(text.slice(Math.max(0, dot - 12), dot))?.[0] ?? '';
  if (word === '') return false;
  if (word.length === 1 && word === word.toUpperCase() && word !== word.toLowerCase()) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}

/** Cuts text longer than `max` after its last `;`/`:`, else `,`, else at its last space in the second half. */
export function cutLong(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const floor = Math.floor(max / 2);
    let cut = -1;
    for (const marks of [/[;:]/g, /,/g]) {
      for (const m of window.matchAll(marks)) if (m.index > floor) cut = m.index + 1;
      if (cut > 0) break;
    }
    if (cut < 0) {
      const space = window.lastIndexOf(' ');
      cut = space > floor ? space : max;
    }
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest !== '') parts.push(rest);
  return parts;
}

/** Each sentence's emotion (rule 2). */
export function sentenceEmotions(sentences: readonly Sentence[], moments: readonly EmotionMoment[]): Emotion[] {
  const best: Array<{ emotion: Emotion; intensity: number } | undefined> = sentences.map(() => undefined);
  for (const m of moments) {
    const at = placeMoment(sentences, m);
    if (at === undefined) continue;
    const current = best[at];
    if (!current || m.intensity > current.intensity) best[at] = { emotion: m.emotion, intensity: m.intensity };
  }
  return best.map((b) => b?.emotion ?? 'neutral');
}

function placeMoment(sentences: readonly Sentence[], m: EmotionMoment): number | undefined {
  const quote = m.quote.replace(/\s+/g, ' ').replace(/…$/, '').trim();
  if (quote.length >= 8) {
    if (sentences[m.sentenceIndex]?.text.includes(quote)) return m.sentenceIndex;
    const found = sentences.find((s) => s.text.includes(quote));
    if (found) return found.index;
  }
  return m.sentenceIndex >= 0 && m.sentenceIndex < sentences.length ? m.sentenceIndex : undefined;
}

interface Piece {
  text: string;
  emotion: Emotion;
  characterId: string | null;
}

/** The story as segments (rules 1–4). An empty story has none. */
export function segmentStory(input: SegmentationInput, options: SegmentationOptions = {}): SegmentDraft[] {
  const sentences = splitSentences(input.content);
  const emotions = sentenceEmotions(sentences, input.emotions);
  const speakers = new SpeakerFinder(input.characters, options.voiced);
  const paragraphs = new Map<number, Sentence[]>();
  for (const s of sentences) {
    const group = paragraphs.get(s.paragraph);
    if (group) group.push(s);
    else paragraphs.set(s.paragraph, [s]);
  }
  const pieces = [...paragraphs.values()].flatMap((paragraph) => speakers.piecesOf(paragraph, emotions));
  return join(pieces.flatMap((piece) => cutLong(piece.text, MAX_SEGMENT_CHARS).map((text) => ({ ...piece, text }))));
}

function join(pieces: readonly Piece[]): SegmentDraft[] {
  const out: SegmentDraft[] = [];
  for (const piece of pieces) {
    const last = out.at(-1);
    if (last && last.emotion === piece.emotion && last.characterId === piece.characterId && last.text.length + 1 + piece.text.length <= MAX_SEGMENT_CHARS) {
      last.text = `${last.text} ${piece.text}`;
    } else {
      out.push({ index: out.length, text: piece.text, emotion: piece.emotion, characterId: piece.characterId });
    }
  }
  return out;
}

const QUOTE_PAIRS: Readonly<Record<string, string>> = { '"': '"', '“': '”', '«': '»', '‘': '’' };

/** A stretch of one sentence: speech (inside quotation marks) or narration. */
interface Span {
  sentence: number;
  text: string;
  speech: boolean;
}

/** Attributes speech to characters (rule 3). */
class SpeakerFinder {
  private readonly names: Array<{ id: string; pattern: RegExp }>;

  constructor(
    characters: readonly StoryCharacter[],
    private readonly voiced?: ReadonlySet<string>,
  ) {
    this.names = characters.flatMap((c) => aliasesOf(c.name).map((alias) => ({ id: c.id, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(alias)}(?![\\p{L}\\p{N}])`, 'giu') })));
  }

  piecesOf(sentences: readonly Sentence[], emotions: readonly Emotion[]): Piece[] {
    const spans = this.spansOf(sentences);
    const pieces: Array<Piece & { sentence: number }> = [];
    spans.forEach((span, i) => {
      const speaker = span.speech ? this.speakerOf(spans, i) : null;
      const characterId = speaker !== null && (!this.voiced || this.voiced.has(speaker)) ? speaker : null;
      const last = pieces.at(-1);
      // Within a sentence, narration and unattributed speech stay together; attributed speech is a piece of its own.
      if (last && last.sentence === span.sentence && last.characterId === characterId) last.text = glue(last.text, span.text);
      else pieces.push({ text: span.text, emotion: emotions[span.sentence]!, characterId, sentence: span.sentence });
    });
    return pieces.map(({ sentence: _sentence, ...piece }) => piece);
  }

  /** Splits the paragraph's sentences at quotation marks; an open quotation carries over to the next sentence. */
  private spansOf(sentences: readonly Sentence[]): Span[] {
    const spans: Span[] = [];
    let closer: string | undefined;
    for (const s of sentences) {
      let from = 0;
      for (let i = 0; i < s.text.length; i++) {
        const ch = s.text[i]!;
        const opens = closer === undefined && ch in QUOTE_PAIRS && (ch !== '‘' || i === 0 || /[\s(—-]/.test(s.text[i - 1]!));
        const closes = closer !== undefined && ch === closer;
        if (opens) {
          push(spans, s.index, s.text.slice(from, i), false);
          from = i;
          closer = QUOTE_PAIRS[ch];
        } else if (closes) {
          // The closing mark and any punctuation glued to it belong to the speech.
          let end = i + 1;
          while (end < s.text.length && /[.,!?;:…]/.test(s.text[end]!)) end++;
          push(spans, s.index, s.text.slice(from, end), true);
          from = end;
          i = end - 1;
          closer = undefined;
        }
      }
      push(spans, s.index, s.text.slice(from), closer !== undefined);
    }
    return spans;
  }

  private speakerOf(spans: readonly Span[], i: number): string | null {
    const narrationAround = (step: 1 | -1): string => {
      const parts: string[] = [];
      for (let j = i + step; j >= 0 && j < spans.length && !spans[j]!.speech; j += step) parts.push(spans[j]!.text);
      return (step === 1 ? parts : parts.reverse()).join(' ');
    };
    return (
      this.nearest(narrationAround(1), 'first') ??
      this.nearest(narrationAround(-1), 'last') ??
      this.only(spans.filter((s) => !s.speech).map((s) => s.text).join(' '))
    );
  }

  private nearest(text: string, which: 'first' | 'last'): string | null {
    let best: { id: string; at: number } | undefined;
    for (const { id, pattern } of this.names) {
      for (const m of text.matchAll(pattern)) {
        if (!best || (which === 'first' ? m.index < best.at : m.index > best.at)) best = { id, at: m.index };
      }
    }
    return best?.id ?? null;
  }

  private only(text: string): string | null {
    const named = new Set(this.names.filter(({ pattern }) => text.match(pattern) !== null).map((n) => n.id));
    return named.size === 1 ? [...named][0]! : null;
  }
}

function push(spans: Span[], sentence: number, text: string, speech: boolean): void {
  const t = text.trim();
  if (t !== '') spans.push({ sentence, text: t, speech });
}

function glue(a: string, b: string): string {
  return /^[.,!?;:…]/.test(b) ? `${a}${b}` : `${a} ${b}`;
}

/** The name as written (dots optional), without a leading article, and its last word when that is a name on its own. */
function aliasesOf(name: string): string[] {
  const plain = name.replace(/\./g, '').replace(/\s+/g, ' ').trim();
  const bare = plain.replace(/^(the|a|an|el|la|los|las)\s+/i, '');
  const last = bare.split(' ').at(-1) ?? '';
  return [...new Set([plain, bare, ...(last.length >= 3 ? [last] : [])].filter((a) => a.length >= 2))];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\.?\\s+');
}
