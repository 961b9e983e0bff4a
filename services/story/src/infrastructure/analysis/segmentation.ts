/**
 * Sentence segmentation shared by every analyser: `segmentIndex` in an analysis is the index of a
 * sentence produced by `splitSentences(content)`, and narration segments follow the same
 * sentences (DOMAIN.md, Narration: "Segmentation follows the story's sentences"), so a narration
 * that splits the content with this function lines its segments up with the analysed emotions.
 *
 * Rules (deterministic, language-agnostic apart from the abbreviation list):
 * - A blank line (paragraph break) always ends a sentence; single line breaks inside a paragraph
 *   are whitespace (hard-wrapped text).
 * - `.`, `!`, `?`, `…` (or `...`), followed by any closing quotes/brackets, end a sentence when
 *   what follows (after whitespace) starts a new one: an upper-case letter, a digit, an opening
 *   quote/bracket, or Spanish `¿`/`¡`. So `"Oh!" she said` and `what a mouth! what teeth` stay one
 *   sentence, and `"Good day," said he.` is one sentence.
 * - A period after a known abbreviation (Mr, Mrs, Dr, St, Sr, Sra, ...) or a single capital
 *   initial (J. R. R.) does not end a sentence.
 * - A sentence longer than MAX_SENTENCE_CHARS is cut at the last `;`, `:`, `,` or space before the
 *   limit (narration needs bounded segments and unpunctuated text must not become one segment).
 * - Text is trimmed; whitespace runs inside a sentence are collapsed to one space; empty
 *   sentences are dropped. `start`/`end` are offsets into the original content.
 */
export interface Sentence {
  index: number;
  /** The sentence with whitespace collapsed. */
  text: string;
  /** Offset of its first character in the content. */
  start: number;
  /** Offset just past its last character. */
  end: number;
}

export const MAX_SENTENCE_CHARS = 600;

const ABBREVIATIONS = new Set(
  [
    'mr', 'mrs', 'ms', 'mme', 'mlle', 'dr', 'st', 'jr', 'sr', 'sra', 'srta', 'sres', 'dña', 'dn', 'ud', 'uds', 'vd', 'vds',
    'prof', 'capt', 'col', 'gen', 'lt', 'sgt', 'mt', 'rev', 'hon', 'gov', 'vs', 'etc', 'no', 'nos', 'vol', 'fig', 'approx',
    'e.g', 'i.e', 'cf', 'dept', 'est', 'inc', 'ltd', 'co',
  ].map((s) => s.toLowerCase()),
);

const CLOSERS = new Set(['"', "'", '”', '’', '»', ')', ']', '}']);
const OPENERS = new Set(['"', "'", '“', '‘', '«', '(', '[', '¿', '¡', '—', '-']);

function isUpperStart(ch: string): boolean {
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0';
}

/** The word (letters and inner dots) that ends just before position `dot` (a period). */
function wordBefore(content: string, dot: number): string {
  let i = dot - 1;
  while (i >= 0 && /[\p{L}.]/u.test(content[i]!)) i--;
  return content.slice(i + 1, dot);
}

function isAbbreviationPeriod(content: string, dot: number): boolean {
  const word = wordBefore(content, dot);
  if (word === '') return false;
  // A single capital initial: "J. R. R. Tolkien".
  if (word.length === 1 && isUpperStart(word)) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}

/** Splits content into sentences (see the module comment for the rules). */
export function splitSentences(content: string): Sentence[] {
  const out: Sentence[] = [];
  const n = content.length;
  let segStart = 0;

  const push = (start: number, end: number): void => {
    // trim
    while (start < end && isSpace(content[start]!)) start++;
    while (end > start && isSpace(content[end - 1]!)) end--;
    if (end <= start) return;
    let s = start;
    while (end - s > MAX_SENTENCE_CHARS) {
      const cut = cutPoint(content, s, s + MAX_SENTENCE_CHARS);
      emit(s, cut);
      s = cut;
      while (s < end && isSpace(content[s]!)) s++;
    }
    if (end > s) emit(s, end);
  };
  const emit = (start: number, end: number): void => {
    let e = end;
    while (e > start && isSpace(content[e - 1]!)) e--;
    const text = content.slice(start, e).replace(/\s+/g, ' ');
    if (text.length > 0) out.push({ index: out.length, text, start, end: e });
  };

  let i = 0;
  while (i < n) {
    const ch = content[i]!;
    // Paragraph break: a line break, optional horizontal whitespace, another line break.
    if (ch === '\n') {
      let j = i + 1;
      while (j < n && (content[j] === ' ' || content[j] === '\t' || content[j] === '\r')) j++;
      if (j < n && content[j] === '\n') {
        push(segStart, i);
        while (j < n && isSpace(content[j]!)) j++;
        segStart = j;
        i = j;
        continue;
      }
      i++;
      continue;
    }
    if (ch === '.' || ch === '!' || ch === '?' || ch === '…') {
      // Take the whole run of terminators ("?!", "...") and closing quotes/brackets.
      let j = i + 1;
      while (j < n && (content[j] === '.' || content[j] === '!' || content[j] === '?' || content[j] === '…')) j++;
      const runEnd = j;
      while (j < n && CLOSERS.has(content[j]!)) j++;
      if (ch === '.' && runEnd === i + 1 && isAbbreviationPeriod(content, i)) {
        i = j;
        continue;
      }
      // What follows?
      let k = j;
      while (k < n && isSpace(content[k]!)) {
        if (content[k] === '\n') break; // let the paragraph rule see a blank line
        k++;
      }
      if (k >= n) {
        push(segStart, j);
        segStart = j;
        i = j;
        continue;
      }
      if (k === j && content[k] !== '\n') {
        // No space after the terminator ("e.g.x", "3.14"): not a boundary.
        i = j;
        continue;
      }
      let next = content[k]!;
      if (next === '\n') {
        // A line break after a terminator: look at the next non-space character.
        let m = k;
        while (m < n && isSpace(content[m]!)) m++;
        if (m >= n) {
          push(segStart, j);
          segStart = j;
          i = j;
          continue;
        }
        next = content[m]!;
      }
      if (isUpperStart(next) || isDigit(next) || OPENERS.has(next)) {
        push(segStart, j);
        segStart = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  push(segStart, n);
  return out;
}

/** Where to cut an over-long sentence in [start, limit): after the last ; : , or space. */
function cutPoint(content: string, start: number, limit: number): number {
  const floor = start + Math.floor(MAX_SENTENCE_CHARS / 2);
  for (const marks of [';:', ',', ' ']) {
    for (let i = limit - 1; i > floor; i--) {
      if (marks.includes(content[i]!)) return marks === ' ' ? i : i + 1;
    }
  }
  return limit;
}
