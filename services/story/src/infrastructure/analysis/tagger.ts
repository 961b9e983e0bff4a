import type nlp from 'compromise';
import { fold } from './text.js';

/** Part-of-speech view of one sentence, from `compromise` (English only). */
export interface TaggedTerm {
  text: string;
  /** Folded (lower case, no diacritics), punctuation stripped. */
  norm: string;
  tags: ReadonlySet<string>;
}

export interface TaggedSentence {
  terms: readonly TaggedTerm[];
  /** `people()` matches, folded. */
  people: readonly string[];
}

/**
 * `compromise` tags about 40k characters a second here, too slow to run over a whole 200k-char
 * story inside a service, so the analyser tags only the sentences it needs (a few per candidate
 * name, a few per character for traits) up to a budget; results are cached per sentence.
 */
export class CompromiseTagger {
  private readonly cache = new Map<number, TaggedSentence>();
  private used = 0;

  /** A tagger over `compromise`, imported by the first call (not at story's start). */
  static async load(budget: number): Promise<CompromiseTagger> {
    return new CompromiseTagger(await loadCompromise(), budget);
  }

  private constructor(
    private readonly nlp: Nlp,
    readonly budget: number,
  ) {}

  get exhausted(): boolean {
    return this.used >= this.budget;
  }

  /** Tags sentence `index` (its `text`), or undefined when the budget is spent. */
  tag(index: number, text: string): TaggedSentence | undefined {
    const cached = this.cache.get(index);
    if (cached) return cached;
    if (this.used >= this.budget) return undefined;
    this.used++;
    const doc = this.nlp(text);
    const terms: TaggedTerm[] = [];
    for (const sentence of asArray(doc.json())) {
      for (const term of asArray(field(sentence, 'terms'))) {
        const raw = field(term, 'text');
        const tags = field(term, 'tags');
        if (typeof raw !== 'string') continue;
        terms.push({
          text: raw,
          norm: fold(raw).replace(/[^\p{L}\p{M}\d'-]/gu, ''),
          tags: new Set(Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : []),
        });
      }
    }
    const people = (doc.people().out('array') as unknown[])
      .filter((p): p is string => typeof p === 'string')
      .map((p) => fold(p).replace(/[^\p{L}\p{M}\d' -]/gu, '').trim())
      .filter((p) => p !== '');
    const tagged = { terms, people };
    this.cache.set(index, tagged);
    return tagged;
  }
}

type Nlp = typeof nlp;
let compromise: Promise<Nlp> | undefined;

/**
 * Imports `compromise` once, on the first English analysis: loading it costs about 0.5 CPU s and
 * 37 MB of RSS, which story's start (and a story that never analyses English) need not pay.
 */
function loadCompromise(): Promise<Nlp> {
  compromise ??= import('compromise').then(
    (module) => module.default,
    (error: unknown) => {
      compromise = undefined;
      throw error;
    },
  );
  return compromise;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
