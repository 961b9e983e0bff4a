import type { CharacterWords } from './character-words.js';
import type { CompromiseTagger, TaggedSentence } from './tagger.js';
import { isCapitalised, type Pacer, type Token } from './text.js';

/**
 * Finding characters without pronoun resolution (honestly: "he", "she", "it" are never linked
 * to anyone; only explicit mentions count).
 *
 * 1. Mentions. Per sentence:
 *    - runs of capitalised words ("Little Red-Cap", "Mr. Fox", "Lady Mary", "the Wolf"), with a
 *      leading article or sentence-start word peeled off ("The Wolf" → "Wolf", "Then Hans" →
 *      "Hans"). A single capitalised word at the very start of a sentence (or of a quotation) is
 *      ambiguous ("Come", "Suppose" vs "Hans"): it counts only for a name also seen elsewhere, or
 *      one that `compromise` tags as a person;
 *    - common nouns from a curated list that stories use as characters ("the wolf", "her
 *      grandmother", "the huntsman", "el lobo"), lower or upper case, singular only.
 * 2. Keys. A mention whose last word is such a noun is that noun ("the Wolf", "wolf", "the big
 *    bad wolf", "the Big Bad Wolf" → wolf; but "John Smith", with no article, is a name).
 *    Otherwise it is a name, keyed by its core: the words after titles and epithets ("Little
 *    Red-Cap" and "Red-Cap" → "red cap"; "Lady Mary" and "Mary" → "mary").
 * 3. Merging. A one-word name merges into the only longer name that starts or ends with it
 *    ("John" → "John Smith", "Smith" → "John Smith"; with two Johns it stays apart); a name that
 *    is the tail or head of exactly one longer name merges into it; a noun merges into the only
 *    titled name built on it ("fox" → "Mr. Fox", "the Queen" → "Queen Grimhilde").
 * 4. Acceptance. Titled names always count; nouns need 2 mentions (3 for generic ones: man,
 *    woman, girl, boy, child) unless written with a capital inside a sentence ("A Famished
 *    Fox", "the Wolf": personified, one mention is enough); other names need `compromise` to
 *    tag them as a person, or else two mentions and no sign of being a place, date,
 *    organisation or plural (English). Without a tagger (Spanish and other languages) two
 *    mentions suffice.
 * 5. Ranking by prominence: mentions in narration count 1, inside quotation marks ½ (a
 *    grandmother addressed ten times in dialogue is less central than the girl the narration
 *    follows), and half that after a possessive ("her grandmother": someone defined through
 *    another character); then mentions, then first appearance. At most MAX_CHARACTERS are kept.
 */
export interface Occurrence {
  sentence: number;
  /** Token range [start, end) within the sentence. */
  start: number;
  end: number;
  /** As written, without a leading article: "Little Red-Cap", "Mr. Fox", "wolf". */
  surface: string;
  key: string;
  ambiguous: boolean;
  capitalised: boolean;
  /** First word when it is a title and more follows ("mr", "queen"). */
  title: string | undefined;
  /** A character noun written with a capital inside a sentence ("the Wolf", "A Famished Fox"). */
  personified: boolean;
  /** Inside quotation marks (dialogue, e.g. a vocative "Oh! grandmother"). */
  quoted: boolean;
  /** After a possessive determiner: "her grandmother", "su abuela" (defined through someone else). */
  relational: boolean;
}

export interface FoundCharacter {
  name: string;
  /** Group keys merged into this character (for tests and debugging). */
  keys: string[];
  mentions: number;
  /** The ranking key: a mention in narration counts 1, in dialogue ½, halved again when relational. */
  prominence: number;
  /** Sentence indexes that mention the character, ascending, without repeats. */
  sentences: number[];
  occurrences: Occurrence[];
  firstSentence: number;
}

export const MAX_CHARACTERS = 20;
/** Sentences tagged per name that needs checking. */
const SAMPLES_PER_NAME = 3;

const PERSON_TAGS = ['Person', 'FirstName', 'LastName', 'MaleName', 'FemaleName', 'Honorific'];
const NOT_PERSON_TAGS = ['Place', 'Country', 'City', 'Region', 'Organization', 'Date', 'Month', 'WeekDay', 'Holiday', 'Demonym', 'Pronoun', 'Value', 'Currency', 'Unit', 'Verb', 'Adverb', 'Preposition', 'Conjunction', 'Determiner', 'Expression', 'Possessive', 'QuestionWord'];
const OPENING = new Set(['"', '“', '‘', "'", '«', '(', '[', ':', '—', '-', '¿', '¡']);

export interface FindCharactersInput {
  sentences: readonly { index: number; text: string }[];
  tokens: readonly (readonly Token[])[];
  /** Per sentence and token: inside quotation marks (see quotes.ts). */
  quoteMasks?: readonly (readonly boolean[])[];
  words: CharacterWords;
  tagger: CompromiseTagger | undefined;
  /** Yields to the event loop now and then (and checks the abort signal). */
  pacer?: Pacer;
}

export async function findCharacters(input: FindCharactersInput): Promise<FoundCharacter[]> {
  const { sentences, tokens, words, tagger, pacer } = input;
  const confident: Occurrence[] = [];
  const ambiguous: Occurrence[] = [];
  for (let s = 0; s < sentences.length; s++) {
    if (s % 50 === 49) await pacer?.tick();
    const mask = input.quoteMasks?.[s];
    for (const occ of extractOccurrences(s, sentences[s]!.text, tokens[s]!, words)) {
      occ.quoted = mask?.[occ.start] === true;
      (occ.ambiguous ? ambiguous : confident).push(occ);
    }
  }

  // Groups by key.
  const groups = new Map<string, Occurrence[]>();
  for (const occ of confident) push(groups, occ.key, occ);
  await pacer?.tick();
  const uf = new UnionFind();
  for (const key of groups.keys()) uf.add(key);
  const nameCores = [...groups.keys()].filter((k) => k.startsWith('name:')).map((k) => ({ key: k, words: k.slice(5).split(' ') }));
  // Multi-word names by first and by last word (keeps merging linear on texts with many names).
  const byFirst = new Map<string, { key: string; words: string[] }[]>();
  const byLast = new Map<string, { key: string; words: string[] }[]>();
  const byCore = new Map<string, string>();
  for (const n of nameCores) {
    byCore.set(n.words.join(' '), n.key);
    if (n.words.length < 2) continue;
    push(byFirst, n.words[0]!, n);
    push(byLast, n.words[n.words.length - 1]!, n);
  }
  const containersOf = (words: readonly string[]): { key: string; words: string[] }[] => {
    const found = new Map<string, { key: string; words: string[] }>();
    for (const b of byFirst.get(words[0]!) ?? []) if (b.words.length > words.length && startsWith(b.words, words)) found.set(b.key, b);
    for (const b of byLast.get(words[words.length - 1]!) ?? []) if (b.words.length > words.length && endsWith(b.words, words)) found.set(b.key, b);
    return [...found.values()];
  };

  // One-word names into the only longer name starting or ending with them; tails/heads likewise.
  let step = 0;
  for (const a of nameCores) {
    if (++step % 100 === 0) await pacer?.tick();
    const containers = containersOf(a.words);
    if (containers.length === 1) uf.union(containers[0]!.key, a.key);
  }
  // Nouns into the only titled name built on them.
  const titledByKey = new Map<string, Set<string>>();
  const titledByTitle = new Map<string, Set<string>>();
  for (const occ of confident) {
    if (occ.title === undefined) continue;
    addTo(titledByKey, occ.key, occ.title);
    addTo(titledByTitle, occ.title, occ.key);
  }
  for (const key of groups.keys()) {
    if (!key.startsWith('noun:')) continue;
    const noun = key.slice(5);
    const sameCore = byCore.get(noun);
    const sameTitle = [...(titledByTitle.get(noun) ?? [])];
    if (sameCore !== undefined && titledByKey.has(sameCore)) uf.union(sameCore, key);
    else if (sameTitle.length === 1) uf.union(sameTitle[0]!, key);
  }

  // Ambiguous (sentence-initial, one-word) mentions join a known name, or stand alone if the tagger says "person".
  const pendingAmbiguous = new Map<string, Occurrence[]>();
  for (const occ of ambiguous) {
    if (++step % 100 === 0) await pacer?.tick();
    if (groups.has(occ.key)) {
      push(groups, occ.key, occ);
      continue;
    }
    const word = occ.key.slice(5);
    const containers = containersOf([word]);
    const roots = new Set(containers.map((c) => uf.find(c.key)));
    if (roots.size === 1) {
      const target = containers[0]!.key;
      push(groups, target, { ...occ, key: target });
      continue;
    }
    push(pendingAmbiguous, occ.key, occ);
  }

  // Merge groups by root.
  const merged = new Map<string, { keys: Set<string>; occurrences: Occurrence[] }>();
  for (const [key, occs] of groups) {
    if (++step % 100 === 0) await pacer?.tick();
    const root = uf.find(key);
    let m = merged.get(root);
    if (!m) {
      m = { keys: new Set(), occurrences: [] };
      merged.set(root, m);
    }
    m.keys.add(key);
    m.occurrences.push(...occs);
  }

  // Acceptance, most mentioned first so the tagging budget goes to what matters.
  const candidates = [...merged.values()].sort((a, b) => b.occurrences.length - a.occurrences.length);
  const accepted: { keys: Set<string>; occurrences: Occurrence[] }[] = [];
  for (const c of candidates) {
    await pacer?.tick();
    const keys = [...c.keys];
    const mentions = c.occurrences.length;
    if (c.occurrences.some((o) => o.title !== undefined)) {
      accepted.push(c);
      continue;
    }
    const nouns = keys.filter((k) => k.startsWith('noun:'));
    if (nouns.length > 0) {
      const generic = nouns.every((k) => words.genericNouns.has(k.slice(5)));
      // A capitalised noun inside a sentence is a named character even when mentioned once ("A Famished Fox").
      const personified = !generic && c.occurrences.some((o) => o.personified);
      if (mentions >= (generic ? 3 : 2) || personified) accepted.push(c);
      continue;
    }
    const verdict = tagger ? checkWithTagger(c.occurrences, sentences, tagger) : 'unknown';
    if (verdict === 'person' || (verdict !== 'not-person' && mentions >= 2)) accepted.push(c);
  }
  if (tagger) {
    for (const [key, occs] of pendingAmbiguous) {
      if (tagger.exhausted) break;
      await pacer?.tick();
      if (checkWithTagger(occs, sentences, tagger) === 'person') accepted.push({ keys: new Set([key]), occurrences: occs });
    }
  }

  const found = accepted.map((c) => toCharacter(c.keys, c.occurrences));
  found.sort((a, b) => b.prominence - a.prominence || b.mentions - a.mentions || a.firstSentence - b.firstSentence);
  return found.slice(0, MAX_CHARACTERS);
}

function toCharacter(keys: Set<string>, occurrences: Occurrence[]): FoundCharacter {
  const occs = [...occurrences].sort((a, b) => a.sentence - b.sentence || a.start - b.start);
  const sentences = [...new Set(occs.map((o) => o.sentence))];
  const prominence = occs.reduce((sum, o) => sum + (o.quoted ? 0.5 : 1) * (o.relational ? 0.5 : 1), 0);
  return { name: displayName(keys, occs), keys: [...keys].sort(), mentions: occs.length, prominence, sentences, occurrences: occs, firstSentence: sentences[0] ?? 0 };
}

/**
 * The name shown: among the forms of the longest name merged in, the most frequent (ties: the
 * longer, then the earlier); for a character known only by a noun, its most frequent capitalised
 * form ("Wolf"), else the noun with a capital ("Grandmother").
 */
function displayName(keys: Set<string>, occs: Occurrence[]): string {
  const nameKeys = [...keys].filter((k) => k.startsWith('name:'));
  let pool = occs.filter((o) => o.capitalised);
  if (nameKeys.length > 0) {
    const longest = Math.max(...nameKeys.map((k) => k.split(' ').length));
    const best = new Set(nameKeys.filter((k) => k.split(' ').length === longest));
    const inBest = pool.filter((o) => best.has(o.key));
    if (inBest.length > 0) pool = inBest;
  }
  if (pool.length === 0) {
    const first = occs[0]?.surface ?? keys.values().next().value ?? '';
    return capitalise(first.replace(/^(?:noun|name):/, ''));
  }
  const counts = new Map<string, { n: number; first: number }>();
  pool.forEach((o, i) => {
    const c = counts.get(o.surface);
    if (c) c.n++;
    else counts.set(o.surface, { n: 1, first: i });
  });
  return [...counts.entries()].sort((a, b) => b[1].n - a[1].n || b[0].length - a[0].length || a[1].first - b[1].first)[0]![0];
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What `compromise` says about the words of a name in a few of its sentences. */
function checkWithTagger(occs: readonly Occurrence[], sentences: FindCharactersInput['sentences'], tagger: CompromiseTagger): 'person' | 'not-person' | 'unknown' {
  const samples: Occurrence[] = [];
  const seen = new Set<number>();
  for (const o of [...occs.filter((x) => !x.ambiguous), ...occs.filter((x) => x.ambiguous)]) {
    if (seen.has(o.sentence)) continue;
    seen.add(o.sentence);
    samples.push(o);
    if (samples.length >= SAMPLES_PER_NAME) break;
  }
  let person = 0;
  let notPerson = 0;
  let looked = 0;
  for (const o of samples) {
    const tagged: TaggedSentence | undefined = tagger.tag(o.sentence, sentences[o.sentence]!.text);
    if (!tagged) break;
    looked++;
    const nameWords = o.surface
      .split(/[\s-]+/)
      .map((w) => w.toLowerCase().replace(/[^\p{L}\p{M}']/gu, '').replace(/'s$/, ''))
      .filter((w) => w !== '');
    const terms = tagged.terms.filter((t) => nameWords.includes(t.norm.replace(/'s$/, '')));
    const isPerson = terms.some((t) => PERSON_TAGS.some((tag) => t.tags.has(tag))) || tagged.people.some((p) => nameWords.some((w) => p.split(/[\s-]+/).includes(w)));
    const isOther = terms.length > 0 && terms.every((t) => NOT_PERSON_TAGS.some((tag) => t.tags.has(tag)));
    if (isPerson) person++;
    else if (isOther) notPerson++;
  }
  if (looked === 0) return 'unknown';
  if (person > 0) return 'person';
  // "the Grapes": a capitalised plural is a thing, not a character (compromise calls it ProperNoun).
  const surface = occs[0]!.surface;
  if (!surface.includes(' ') && /[^su]s$/i.test(surface)) return 'not-person';
  return notPerson * 2 > looked ? 'not-person' : 'unknown';
}

/** Mentions in one sentence (see the module comment). */
export function extractOccurrences(sentence: number, text: string, tokens: readonly Token[], words: CharacterWords): Occurrence[] {
  const out: Occurrence[] = [];
  const covered = new Array<boolean>(tokens.length).fill(false);
  const isI = (t: Token): boolean => t.norm === 'i' || t.norm.startsWith("i'");
  const capWord = (t: Token | undefined): boolean => t !== undefined && t.word && isCapitalised(t.text) && !isI(t);

  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (!capWord(t)) {
      i++;
      continue;
    }
    const parts: number[] = [];
    let j = i;
    while (j < tokens.length) {
      const tj = tokens[j]!;
      if (capWord(tj)) {
        parts.push(j);
        j++;
        // "Mr. Fox": a title abbreviation, its period, and the name after it.
        if (tokens[j]?.text === '.' && words.titles.has(tj.norm) && capWord(tokens[j + 1])) j++;
        continue;
      }
      if (tj.word && !isCapitalised(tj.text) && words.nameConnectors.has(tj.norm) && parts.length > 0 && capWord(tokens[j + 1])) {
        j++;
        continue;
      }
      break;
    }
    for (let k = i; k < j; k++) covered[k] = true;
    i = j;

    const initial = isInitial(tokens, parts[0]!);
    let peeled = false;
    let articled = false;
    const before = tokens[parts[0]! - 1];
    if (before?.word && words.articles.has(before.norm)) articled = true;
    while (parts.length > 0 && words.stopwords.has(tokens[parts[0]!]!.norm)) {
      if (words.articles.has(tokens[parts[0]!]!.norm)) articled = true;
      parts.shift();
      peeled = true;
    }
    // Trailing grammar words too ("Hans Then" never happens, but "Gretel And" can in all-caps titles).
    while (parts.length > 0 && words.stopwords.has(tokens[parts[parts.length - 1]!]!.norm)) parts.pop();
    if (parts.length === 0) continue;
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    const norms = parts.map((p) => tokens[p]!.norm);
    const lastWord = norms[norms.length - 1]!;
    const lastHead = lastWord.includes('-') ? lastWord.slice(lastWord.lastIndexOf('-') + 1) : lastWord;
    const titled = norms.length > 1 && words.titles.has(norms[0]!);
    const surface = text.slice(tokens[first]!.start, tokens[last]!.start + tokens[last]!.text.length).replace(/\s+/g, ' ');
    const isNoun = (w: string): boolean => words.characterNouns.has(w) || words.genericNouns.has(w);

    let key: string;
    // "Wolf", "the Big Bad Wolf", "A Famished Fox" are the noun; "John Smith" is a name.
    if (!titled && isNoun(lastWord) && (norms.length === 1 || articled)) key = `noun:${lastWord}`;
    else if (!titled && lastWord.includes('-') && isNoun(lastHead) && norms.length === 1) key = `noun:${lastWord.replace(/-/g, ' ')}`;
    else {
      const core = [...norms];
      while (core.length > 1 && words.titles.has(core[0]!)) core.shift();
      const coreKey = core.join(' ').replace(/-/g, ' ').replace(/\./g, '').replace(/\s+/g, ' ').trim();
      if (coreKey === '' || (core.length === 1 && words.titles.has(core[0]!) && !isNoun(core[0]!))) continue;
      key = `name:${coreKey}`;
    }
    const ambiguous = initial && !peeled && parts.length === 1 && !key.startsWith('noun:');
    if (key.startsWith('noun:')) {
      // The noun alone is the mention ("Famished Fox" → "Fox"); words before it may describe it.
      const personified = !(initial && !peeled && parts.length === 1);
      out.push({ sentence, start: last, end: last + 1, surface: tokens[last]!.text.replace(/['’]s$/, ''), key, ambiguous, capitalised: true, title: undefined, personified, quoted: false, relational: false });
      continue;
    }
    out.push({ sentence, start: first, end: last + 1, surface, key, ambiguous, capitalised: true, title: titled ? norms[0] : undefined, personified: false, quoted: false, relational: false });
  }

  // Lower-case character nouns: "the wolf", "her grandmother", "a shepherd-boy".
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (covered[k] || !t.word) continue;
    const norm = t.norm;
    let key: string | undefined;
    if (words.characterNouns.has(norm) || words.genericNouns.has(norm)) key = `noun:${norm}`;
    else if (norm.includes('-')) {
      const head = norm.slice(norm.lastIndexOf('-') + 1);
      if (words.characterNouns.has(head) || words.genericNouns.has(head)) key = `noun:${norm.replace(/-/g, ' ')}`;
    }
    if (key === undefined) continue;
    out.push({ sentence, start: k, end: k + 1, surface: t.text.replace(/['’]s$/, ''), key, ambiguous: false, capitalised: isCapitalised(t.text), title: undefined, personified: false, quoted: false, relational: false });
  }
  for (const o of out) {
    const before = tokens[o.start - 1];
    o.relational = before !== undefined && before.word && words.possessives.has(before.norm);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** At the start of the sentence, or of a quotation or parenthesis inside it. */
function isInitial(tokens: readonly Token[], index: number): boolean {
  for (let k = index - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (t.word) return false;
    if (OPENING.has(t.text)) return true;
    if (t.text === '.' || t.text === '!' || t.text === '?') return true;
  }
  return true;
}

function startsWith(long: readonly string[], short: readonly string[]): boolean {
  return short.every((w, i) => long[i] === w);
}

function endsWith(long: readonly string[], short: readonly string[]): boolean {
  const off = long.length - short.length;
  return short.every((w, i) => long[off + i] === w);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const existing = map.get(key);
  if (existing) existing.push(value);
  else map.set(key, [value]);
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const existing = map.get(key);
  if (existing) existing.add(value);
  else map.set(key, new Set([value]));
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  add(x: string): void {
    if (!this.parent.has(x)) this.parent.set(x, x);
  }
  find(x: string): string {
    this.add(x);
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // Keep the longer (more specific) key as the root, deterministically.
    if (ra.length > rb.length || (ra.length === rb.length && ra < rb)) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
}
