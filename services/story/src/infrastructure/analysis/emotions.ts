import type { CompiledLexicon, LexiconHit, ScoredEmotion } from './lexicon/index.js';
import type { Token } from './text.js';

/**
 * Lexicon scoring of one sentence.
 *
 * - Every word found in the lexicon adds its weight (strong 3, moderate 2, mild 1) to its
 *   emotion, multiplied by 1.5 after an intensifier ("very", "terribly"; within the two words
 *   before it, twice at most) or by 0.5 after a downtoner ("slightly", "a bit"), and by 1.5 when
 *   written in capitals ("AFRAID").
 * - A negator ("not", "never", "-n't", "without", "no"; es: "no", "nunca", "sin", ...) cancels
 *   the emotion words among the next three words (fillers like "at all", "the least bit" do not
 *   count), stopping at punctuation or "but". A cancelled word is not scored at all: "not happy"
 *   is neither joy nor, by guesswork, sadness.
 * - A question (the sentence ends in "?") adds a mild 1 to curiosity.
 * - The dominant emotion is the highest score; ties go to the stronger single word, then to the
 *   order fear, anger, sadness, joy, love, surprise, disgust, contempt, excitement, curiosity.
 * - intensity = round(1 + 1.5 × score) + 1 if the sentence has "!", clamped to 1..10: one mild
 *   word → 3, one moderate → 4, one strong → 6, "very frightened" → 6, "terribly frightened and
 *   trembling" → 9.
 */
export interface EmotionScore {
  emotion: ScoredEmotion;
  score: number;
  /** The words that produced the score, as written (lower-cased), in order, without repeats. */
  cues: string[];
  strongest: number;
}

export interface SentenceEmotion {
  dominant: EmotionScore | undefined;
  intensity: number;
  all: EmotionScore[];
  /** Emotion words that a negation cancelled (for tests and explanations). */
  negated: string[];
}

const TIE_ORDER: readonly ScoredEmotion[] = ['fear', 'anger', 'sadness', 'joy', 'love', 'surprise', 'disgust', 'contempt', 'excitement', 'curiosity'];
const CLAUSE_BREAKS = new Set([',', ';', ':', '.', '!', '?', '…', '—', '(', ')', '"', '“', '”', '«', '»']);
const CONTRAST = new Set(['but', 'yet', 'pero', 'sino', 'aunque']);
const NEGATION_REACH = 3;
const MODIFIER_REACH = 2;

export function scoreSentence(tokens: readonly Token[], lexicon: CompiledLexicon): SentenceEmotion {
  const scores = new Map<ScoredEmotion, EmotionScore>();
  const negated: string[] = [];
  let negationLeft = 0;
  let modifier = 1;
  let modifierLeft = 0;
  let exclamation = false;
  let prevWord: Token | undefined;

  const add = (hit: LexiconHit, factor: number, cue: string): void => {
    let s = scores.get(hit.emotion);
    if (!s) {
      s = { emotion: hit.emotion, score: 0, cues: [], strongest: 0 };
      scores.set(hit.emotion, s);
    }
    s.score += hit.weight * factor;
    s.strongest = Math.max(s.strongest, hit.weight);
    if (!s.cues.includes(cue)) s.cues.push(cue);
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.word) {
      if (t.text === '!' || t.text === '¡') exclamation = true;
      if (CLAUSE_BREAKS.has(t.text)) {
        negationLeft = 0;
        modifierLeft = 0;
      }
      continue;
    }
    const norm = t.norm;
    if (CONTRAST.has(norm)) {
      negationLeft = 0;
      modifierLeft = 0;
      prevWord = t;
      continue;
    }
    let hit: LexiconHit | null | undefined = lexicon.lookup(norm);
    // Phrase rules: "cried out" is shouting, "laughed at" is contempt, "oh dear" is not love.
    const next = nextWord(tokens, i);
    for (const rule of lexicon.phrases) {
      if (next !== undefined && rule.forms.has(norm) && next.norm === rule.other) hit = rule.hit;
    }
    for (const rule of lexicon.prefixedPhrases) {
      if (prevWord !== undefined && rule.forms.has(norm) && prevWord.norm === rule.other) hit = rule.hit;
    }
    const isNegator = lexicon.isNegator(norm) && !(hit === null && lexicon.negators.has(norm));
    if (hit) {
      if (negationLeft > 0) {
        negated.push(t.text.toLowerCase());
      } else {
        const caps = t.text.length > 1 && t.text === t.text.toUpperCase() && t.text !== t.text.toLowerCase() ? 1.5 : 1;
        add(hit, (modifierLeft > 0 ? modifier : 1) * caps, t.text.toLowerCase());
      }
    }
    if (isNegator) {
      negationLeft = NEGATION_REACH;
    } else if (lexicon.intensifiers.has(norm)) {
      modifier = modifierLeft > 0 && modifier > 1 ? Math.min(2.25, modifier * 1.5) : 1.5;
      modifierLeft = MODIFIER_REACH + 1;
    } else if (lexicon.downtoners.has(norm)) {
      modifier = 0.5;
      modifierLeft = MODIFIER_REACH + 1;
    } else if (negationLeft > 0 && !lexicon.negationFillers.has(norm)) {
      negationLeft--;
    }
    if (modifierLeft > 0) modifierLeft--;
    prevWord = t;
  }

  // A question: the last non-quote token is "?".
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.word || !/["'”’»)\]]/.test(t.text)) {
      if (t.text === '?') add({ emotion: 'curiosity', weight: 1 }, 1, '?');
      break;
    }
  }

  const all = [...scores.values()].sort(compareScores);
  const dominant = all[0];
  const intensity = dominant ? clampIntensity(Math.round(1 + 1.5 * dominant.score) + (exclamation ? 1 : 0)) : 0;
  return { dominant, intensity, all, negated };
}

function compareScores(a: EmotionScore, b: EmotionScore): number {
  if (b.score !== a.score) return b.score - a.score;
  if (b.strongest !== a.strongest) return b.strongest - a.strongest;
  return TIE_ORDER.indexOf(a.emotion) - TIE_ORDER.indexOf(b.emotion);
}

function nextWord(tokens: readonly Token[], i: number): Token | undefined {
  const t = tokens[i + 1];
  return t?.word ? t : undefined;
}

export function clampIntensity(n: number): number {
  return Math.min(10, Math.max(1, Math.round(n)));
}
