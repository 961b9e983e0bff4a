import { fold } from '../text.js';
import { english } from './en.js';
import { spanish } from './es.js';
import { SCORED_EMOTIONS, type LexiconSpec, type ScoredEmotion } from './types.js';

export { SCORED_EMOTIONS, type ScoredEmotion, type LexiconSpec } from './types.js';
export { english } from './en.js';
export { spanish } from './es.js';

export interface LexiconHit {
  emotion: ScoredEmotion;
  weight: number;
}

export interface PhraseRule {
  /** Forms of the word the rule is about. */
  forms: ReadonlySet<string>;
  /** The neighbouring word (the next one for `phrases`, the previous one for `prefixedPhrases`). */
  other: string;
  hit: LexiconHit | null;
}

const WEIGHTS = { strong: 3, moderate: 2, mild: 1 } as const;
const MIN_STEM = 4;

/** A lexicon ready for look-ups (built once per language, then shared). */
export class CompiledLexicon {
  readonly language: string;
  readonly negators: ReadonlySet<string>;
  readonly negationFillers: ReadonlySet<string>;
  readonly intensifiers: ReadonlySet<string>;
  readonly downtoners: ReadonlySet<string>;
  readonly phrases: readonly PhraseRule[];
  readonly prefixedPhrases: readonly PhraseRule[];
  /** Forms listed under two emotions (the first listing wins); a unit test keeps this empty. */
  readonly conflicts: readonly string[];
  private readonly exact = new Map<string, LexiconHit>();
  private readonly stems = new Map<string, LexiconHit>();
  private maxStem = 0;

  constructor(spec: LexiconSpec) {
    this.language = spec.language;
    const conflicts: string[] = [];
    const add = (map: Map<string, LexiconHit>, key: string, hit: LexiconHit): void => {
      const existing = map.get(key);
      if (existing && existing.emotion !== hit.emotion) conflicts.push(`${key} (${existing.emotion}/${hit.emotion})`);
      if (!existing || (existing.emotion === hit.emotion && existing.weight < hit.weight)) map.set(key, hit);
    };
    for (const emotion of SCORED_EMOTIONS) {
      const words = spec.emotions[emotion];
      for (const tier of ['strong', 'moderate', 'mild'] as const) {
        for (const raw of words[tier] ?? []) {
          const hit = { emotion, weight: WEIGHTS[tier] };
          const entry = fold(raw);
          if (entry.endsWith('*')) {
            const stem = entry.slice(0, -1);
            if (stem.length < MIN_STEM) throw new Error(`lexicon ${spec.language}: stem "${raw}" is shorter than ${MIN_STEM}`);
            add(this.stems, stem, hit);
            this.maxStem = Math.max(this.maxStem, stem.length);
          } else if (entry.startsWith('=')) {
            add(this.exact, entry.slice(1), hit);
          } else {
            for (const form of spec.inflect(entry)) add(this.exact, form, hit);
          }
        }
      }
    }
    this.conflicts = conflicts;
    this.negators = new Set(spec.negators.map(fold));
    this.negationFillers = new Set(spec.negationFillers.map(fold));
    this.intensifiers = new Set(spec.intensifiers.map(fold));
    this.downtoners = new Set(spec.downtoners.map(fold));
    const rule = ([first, other, emotion, weight]: readonly [string, string, ScoredEmotion | null, number], inflect: boolean): PhraseRule => ({
      forms: new Set(inflect ? spec.inflect(fold(first)) : [fold(first)]),
      other: fold(other),
      hit: emotion === null ? null : { emotion, weight },
    });
    this.phrases = spec.phrases.map((p) => rule(p, true));
    // For prefixed phrases the rule is about the SECOND word: "oh dear" changes "dear".
    this.prefixedPhrases = spec.prefixedPhrases.map(([first, second, emotion, weight]) => rule([second, first, emotion, weight], true));
  }

  /** The emotion a (folded) word signals, if any. */
  lookup(norm: string): LexiconHit | undefined {
    const exact = this.exact.get(norm);
    if (exact) return exact;
    for (let len = Math.min(norm.length, this.maxStem); len >= MIN_STEM; len--) {
      const hit = this.stems.get(norm.slice(0, len));
      if (hit) return hit;
    }
    return undefined;
  }

  isNegator(norm: string): boolean {
    return this.negators.has(norm) || (this.language === 'en' && norm.endsWith("n't"));
  }
}

const compiled = new Map<string, CompiledLexicon>();

/** The primary language subtag: "en-GB" → "en", "ES" → "es". */
export function primaryLanguage(language: string): string {
  return language.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

/** The lexicon for a language tag, or undefined when there is none (only en and es have one). */
export function lexiconFor(language: string): CompiledLexicon | undefined {
  const lang = primaryLanguage(language);
  const spec = lang === 'en' ? english : lang === 'es' ? spanish : undefined;
  if (!spec) return undefined;
  let lexicon = compiled.get(lang);
  if (!lexicon) {
    lexicon = new CompiledLexicon(spec);
    compiled.set(lang, lexicon);
  }
  return lexicon;
}
