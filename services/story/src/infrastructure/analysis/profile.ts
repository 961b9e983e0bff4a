import type { AnalysedCharacter } from '../../application/ports/story-analyser.js';
import type { CharacterRole } from '../../domain/character-role.js';
import type { CharacterWords } from './character-words.js';
import { MAX_CHARACTERS, type FoundCharacter, type Occurrence } from './characters.js';
import type { SentenceEmotion } from './emotions.js';
import type { Sentence } from './segmentation.js';
import type { CompromiseTagger } from './tagger.js';
import { clip, fold, type Pacer, type Token } from './text.js';

/**
 * Turns found characters into analysed ones: description, traits, personality, role. Everything
 * is taken from the text (no invented facts):
 * - description: the first sentence that mentions the character, clipped to 200 characters;
 * - traits: adjectives (English: tagged by `compromise`; Spanish: a curated list) that describe a
 *   mention (`describing`: "the big bad wolf", "Lady Mary was young", "the bravest ..., was a
 *   Mr. Fox"), in the first 16 sentences mentioning the character, not negated ("was not at all
 *   afraid" gives nothing), not part of a name ("Little" in "Little Red-Cap"); the 6 most
 *   frequent;
 * - personality: a summary of those traits and of the dominant emotions of the sentences that
 *   mention the character ("Described as wicked, old; appears in moments of fear (4) and
 *   surprise (1)."), empty when the text gives neither;
 * - role: see `assignRoles`.
 */
export interface ProfileInput {
  title: string;
  language: string;
  sentences: readonly Sentence[];
  tokens: readonly (readonly Token[])[];
  quoteMasks: readonly (readonly boolean[])[];
  emotions: readonly (SentenceEmotion | undefined)[];
  characters: readonly FoundCharacter[];
  words: CharacterWords;
  tagger: CompromiseTagger | undefined;
  isNegator: (norm: string) => boolean;
  /** Yields to the event loop now and then (and checks the abort signal). */
  pacer?: Pacer;
}

/** Mention-bearing sentences looked at for traits, per character. */
const TRAIT_SENTENCES = 16;
const MAX_TRAITS = 6;
const NARRATOR_MIN_SENTENCES = 3;
const NARRATOR_MIN_SHARE = 0.3;

interface Working extends FoundCharacter {
  narrator: boolean;
}

export async function profileCharacters(input: ProfileInput): Promise<AnalysedCharacter[]> {
  const characters: Working[] = input.characters.map((c) => ({ ...c, narrator: false }));
  addNarrator(input, characters);
  characters.sort((a, b) => b.prominence - a.prominence || b.mentions - a.mentions || a.firstSentence - b.firstSentence);
  characters.splice(MAX_CHARACTERS);

  // Who is mentioned where, per sentence.
  const mentions = new Map<number, Mention[]>();
  characters.forEach((c, who) => {
    for (const o of c.occurrences) {
      let list = mentions.get(o.sentence);
      if (!list) mentions.set(o.sentence, (list = []));
      const last = input.tokens[o.sentence]![o.end - 1];
      list.push({ who, start: o.start, end: o.end, possessive: last !== undefined && /['’]s$/i.test(last.text) });
    }
  });
  // Tag (English) the first TRAIT_SENTENCES sentences of each character; the rest are looked at
  // untagged (villain words need no tagger).
  const toTag = new Set<number>();
  for (const c of characters) for (const s of c.sentences.slice(0, TRAIT_SENTENCES)) toTag.add(s);
  const views = new Map<number, SentenceView>();
  for (const [s, list] of mentions) {
    await input.pacer?.tick();
    views.set(s, viewOf(input, s, list, toTag.has(s)));
  }
  await input.pacer?.tick();

  const traits = characters.map((c, who) => traitsOf(input, c, views, who));
  const roles = assignRoles(input, characters, traits, views);
  return characters.map((c, who) => ({
    name: c.name,
    description: clip(input.sentences[c.firstSentence]?.text ?? '', 200),
    personality: personalityOf(input, c, traits[who]!),
    role: roles[who]!,
    traits: traits[who]!,
  }));
}

/**
 * First-person narration: when at least 3 sentences, and 30% of the sentences with narration
 * (words outside quotation marks), use I/me/my outside quotation marks, the story has a narrator.
 * It is the character the narrator names as themself ("My name is Tom", "Call me Ishmael", "Me
 * llamo Ana"), else a character called "Narrator" ("Narrador" in Spanish) whose mentions are
 * those first-person sentences.
 */
function addNarrator(input: ProfileInput, characters: Working[]): void {
  const { sentences, tokens, quoteMasks, words } = input;
  let narrative = 0;
  const firstPerson: { sentence: number; token: number }[] = [];
  for (let s = 0; s < sentences.length; s++) {
    const toks = tokens[s]!;
    const mask = quoteMasks[s]!;
    let hasNarration = false;
    let fp = -1;
    for (let i = 0; i < toks.length; i++) {
      if (mask[i] || !toks[i]!.word) continue;
      hasNarration = true;
      if (fp < 0 && words.firstPerson.has(toks[i]!.norm)) fp = i;
    }
    if (hasNarration) narrative++;
    if (fp >= 0) firstPerson.push({ sentence: s, token: fp });
  }
  if (firstPerson.length < NARRATOR_MIN_SENTENCES || firstPerson.length < NARRATOR_MIN_SHARE * narrative) return;

  // The narrator's mentions: every "I" ("yo") in narration (for traits: "I was happy"), or the
  // sentence's first first-person word when it has no "I".
  const occurrences: Occurrence[] = [];
  for (const { sentence, token } of firstPerson) {
    const toks = tokens[sentence]!;
    const mask = quoteMasks[sentence]!;
    const subjects = toks.map((t, i) => (!mask[i] && (t.norm === 'i' || t.norm === 'yo') ? i : -1)).filter((i) => i >= 0);
    for (const i of subjects.length > 0 ? subjects : [token]) {
      occurrences.push({ sentence, start: i, end: i + 1, surface: toks[i]!.text, key: 'narrator', ambiguous: false, capitalised: false, title: undefined, personified: false, quoted: false, relational: false });
    }
  }

  // "my name is X", "call me X", "me llamo X", "mi nombre es X": the narrator is X, and the
  // first-person sentences are X's mentions too.
  const patterns = [['my', 'name', 'is'], ['call', 'me'], ['me', 'llamo'], ['mi', 'nombre', 'es']];
  for (const { sentence } of firstPerson) {
    const toks = tokens[sentence]!;
    for (let i = 0; i < toks.length; i++) {
      for (const p of patterns) {
        if (!p.every((w, k) => toks[i + k]?.norm === w)) continue;
        const at = i + p.length;
        const named = characters.find((c) => c.occurrences.some((o) => o.sentence === sentence && o.start === at));
        if (named) {
          named.narrator = true;
          named.occurrences = [...named.occurrences, ...occurrences].sort((a, b) => a.sentence - b.sentence || a.start - b.start);
          named.sentences = [...new Set(named.occurrences.map((o) => o.sentence))];
          named.mentions += firstPerson.length;
          named.prominence += firstPerson.length;
          named.firstSentence = named.sentences[0] ?? named.firstSentence;
          return;
        }
      }
    }
  }
  characters.push({
    name: input.language === 'es' ? 'Narrador' : 'Narrator',
    keys: ['narrator'],
    mentions: firstPerson.length,
    prominence: firstPerson.length,
    sentences: firstPerson.map((f) => f.sentence),
    occurrences,
    firstSentence: firstPerson[0]!.sentence,
    narrator: true,
  });
}

const COPULAS: Record<string, ReadonlySet<string>> = {
  en: new Set(['is', 'was', 'were', 'are', 'be', 'been', 'being', 'seemed', 'seems', 'seem', 'looked', 'looks', 'became', 'becomes', 'felt', 'feels', 'remained', 'remains', 'grew', 'appeared', 'appears']),
  es: new Set(['es', 'era', 'eran', 'son', 'fue', 'fueron', 'estaba', 'estaban', 'esta', 'estan', 'estuvo', 'parecia', 'parecian', 'parece', 'sentia', 'sentian', 'quedo', 'se', 'que']),
};
/** Words that may sit between a describing word and what it describes: "the big, bad wolf", "so very brave". */
const GLUE = new Set(['and', 'y', 'e', 'very', 'so', 'most', 'more', 'quite', 'rather', 'too', 'muy', 'tan', 'mas', 'certainly', 'really', 'truly', 'a', 'an', 'un', 'una', 'old', 'viejo', 'vieja']);
const ARTICLES = new Set(['a', 'an', 'the', 'un', 'una', 'el', 'la']);
const CLAUSE_END = /^[;:.!?…"“”«»()]$/;

interface Mention {
  who: number;
  start: number;
  end: number;
  /** "the grandmother's bed": not the one acting. */
  possessive: boolean;
}

/** Per sentence: the words that describe each mention, and which tokens are adjectives. */
interface SentenceView {
  mentions: Mention[];
  /** Token indexes tagged as adjectives (English, when tagged), or curated trait words (Spanish). */
  adjectives: ReadonlySet<number>;
  tagged: boolean;
}

function viewOf(input: ProfileInput, s: number, mentions: Mention[], tag: boolean): SentenceView {
  const toks = input.tokens[s]!;
  const adjectives = new Set<number>();
  let tagged = false;
  if (input.tagger) {
    const result = tag ? input.tagger.tag(s, input.sentences[s]!.text) : undefined;
    if (result) {
      tagged = true;
      // compromise splits "Red-Cap" into "Red" + "Cap": walk both lists in step.
      let cursor = 0;
      for (const term of result.terms) {
        const word = term.norm.replace(/^-+|-+$/g, '');
        if (word === '') continue;
        let k = cursor;
        while (k < toks.length && !(toks[k]!.norm === word || toks[k]!.norm.split('-').includes(word))) k++;
        if (k >= toks.length) continue;
        cursor = toks[k]!.norm === word ? k + 1 : k;
        if (term.tags.has('Adjective') && toks[k]!.norm === word) adjectives.add(k);
      }
    }
  } else {
    tagged = true;
    toks.forEach((t, i) => {
      if (t.word && input.words.traitAdjectives.has(t.norm)) adjectives.add(i);
    });
  }
  return { mentions, adjectives, tagged };
}

/**
 * Tokens that describe one mention, by position (no parser, so only three plain patterns):
 * - attributive: the words right before it ("the big bad wolf", "poor sick grandmother"), and in
 *   Spanish right after it ("el lobo malvado");
 * - predicative: mention, copula, up to 8 words ("Lady Mary was young, and ... fair"; "el lobo,
 *   que era malvado"; "the wolf was a wicked beast");
 * - inverted: up to 6 words, copula, mention ("the bravest and most gallant, was a Mr. Fox").
 * Walks stop at another mention and at the end of a clause.
 */
function describing(input: ProfileInput, s: number, view: SentenceView, m: Mention): number[] {
  const toks = input.tokens[s]!;
  const copulas = COPULAS[input.language] ?? COPULAS['en']!;
  const { villainWords } = input.words;
  const out: number[] = [];
  const inMention = (i: number): boolean => view.mentions.some((x) => i >= x.start && i < x.end);
  const describes = (i: number): boolean => view.adjectives.has(i) || villainWords.has(toks[i]!.norm);
  const glue = (i: number): boolean => {
    const t = toks[i]!;
    return (!t.word && (t.text === ',' || t.text === '-')) || (t.word && GLUE.has(t.norm));
  };
  // Attributive: the first word next to the mention must itself describe.
  const attributive = (from: number, step: 1 | -1): void => {
    if (from < 0 || from >= toks.length || !describes(from) || inMention(from)) return;
    for (let i = from, n = 0; i >= 0 && i < toks.length && n < 5 && !inMention(i); i += step, n++) {
      if (describes(i)) out.push(i);
      else if (!glue(i)) return;
    }
  };
  // Predicative: after the copula, describing words with glue and articles between them, up to
  // a noun ("was a wicked creature"); inverted: the same leftwards, one unknown word allowed
  // ("the bravest and most gallant, was ...": compromise calls "gallant" a noun).
  const predicate = (from: number, step: 1 | -1, limit: number, skips: number): void => {
    for (let i = from, n = 0; i >= 0 && i < toks.length && n < limit; i += step, n++) {
      if (inMention(i) || CLAUSE_END.test(toks[i]!.text)) return;
      if (describes(i)) out.push(i);
      else if (!glue(i) && !ARTICLES.has(toks[i]!.norm) && (skips-- <= 0 || !toks[i]!.word)) return;
    }
  };
  attributive(m.start - 1, -1);
  if (input.language === 'es') attributive(m.end, 1);
  let i = m.end;
  if (toks[i]?.text === ',') i++;
  let copula = false;
  for (let n = 0; n < 3 && i < toks.length && toks[i]!.word && (copulas.has(toks[i]!.norm) || ['had', 'has', 'not', 'never'].includes(toks[i]!.norm)); n++, i++) {
    if (copulas.has(toks[i]!.norm)) copula = true;
  }
  if (copula) predicate(i, 1, 8, 0);
  let j = m.start - 1;
  if (j >= 0 && ARTICLES.has(toks[j]!.norm)) j--;
  if (j >= 0 && toks[j]!.word && copulas.has(toks[j]!.norm)) {
    j--;
    if (j >= 0 && toks[j]!.text === ',') j--;
    predicate(j, -1, 6, 1);
  }
  return out;
}

/** Adjectives describing the character, not negated, most frequent first (see the module comment). */
function traitsOf(input: ProfileInput, c: Working, views: Map<number, SentenceView>, who: number): string[] {
  const { tokens, words } = input;
  const counts = new Map<string, { n: number; first: number }>();
  const nameWords = new Set(c.name.split(/[\s-]+/).map((w) => fold(w).replace(/[^\p{L}\p{M}]/gu, '')));
  let order = 0;
  for (const s of c.sentences.slice(0, TRAIT_SENTENCES)) {
    const view = views.get(s);
    if (!view?.tagged) continue;
    const toks = tokens[s]!;
    const found = new Set<number>();
    for (const m of view.mentions) if (m.who === who) for (const i of describing(input, s, view, m)) if (view.adjectives.has(i)) found.add(i);
    for (const index of [...found].sort((a, b) => a - b)) {
      const word = toks[index]!.norm;
      if (word.length < 3 || words.traitStopwords.has(word) || nameWords.has(word)) continue;
      if (negatedAt(toks, index, input.isNegator)) continue;
      const entry = counts.get(word);
      if (entry) entry.n++;
      else counts.set(word, { n: 1, first: order++ });
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)
    .slice(0, MAX_TRAITS)
    .map(([word]) => word);
}

/** A negator among the words before `index` in the same clause (at most four words back). */
function negatedAt(toks: readonly Token[], index: number, isNegator: (norm: string) => boolean): boolean {
  let seen = 0;
  for (let i = index - 1; i >= 0 && seen < 4; i--) {
    const t = toks[i]!;
    if (!t.word) {
      if (/[;:.!?]/.test(t.text)) return false;
      continue;
    }
    if (isNegator(t.norm)) return true;
    seen++;
  }
  return false;
}

function emotionProfile(input: ProfileInput, c: Working): { emotion: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of c.sentences) {
    const e = input.emotions[s]?.dominant;
    if (e) counts.set(e.emotion, (counts.get(e.emotion) ?? 0) + 1);
  }
  return [...counts.entries()].map(([emotion, count]) => ({ emotion, count })).sort((a, b) => b.count - a.count || a.emotion.localeCompare(b.emotion));
}

function personalityOf(input: ProfileInput, c: Working, traits: readonly string[]): string {
  const parts: string[] = [];
  if (traits.length > 0) parts.push(`described as ${traits.slice(0, 3).join(', ')}`);
  const profile = emotionProfile(input, c).slice(0, 2);
  if (profile.length > 0) parts.push(`appears in moments of ${profile.map((p) => `${p.emotion} (${p.count})`).join(' and ')}`);
  if (c.narrator) parts.push('tells the story in the first person');
  if (parts.length === 0) return '';
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/**
 * Roles, from mentions and vocabulary:
 * - narrator: the first-person narrator (see addNarrator);
 * - antagonist score per character = 2 × (sentences where a villain word — "wicked", "evil",
 *   "villain", "cruel", "beast", ... — describes a mention of it, by the same patterns as traits:
 *   "the wicked wolf", "the wolf was a cruel beast"; + 1 if a trait is one) + sentences where
 *   it is the agent of a threatening action ("devour", "kill", "swallow", ...: the nearest
 *   non-possessive mention before the verb, or the one after "by") + ¼ × sentences mentioning it
 *   whose dominant emotion is fear or anger; a character is villainous when the score is at
 *   least 2 and some villain or threat word is involved;
 * - protagonist: the most mentioned character, unless it is the most villainous one and another
 *   character has at least max(2, 40% of its mentions) — then that one (the wolf is mentioned
 *   most in "The Boy Who Cried Wolf"; the boy is the protagonist). A character named in the
 *   title wins a near tie (at least 80% of the top prominence, not villainous);
 * - antagonist: the most villainous other character, and any other reaching 75% of its score;
 * - the rest: supporting with 2+ mentions, other with one.
 */
function assignRoles(input: ProfileInput, characters: readonly Working[], traits: readonly (readonly string[])[], views: ReadonlyMap<number, SentenceView>): CharacterRole[] {
  const { tokens, emotions, words } = input;
  const villain = characters.map((_, who) => (traits[who]!.some((t) => words.villainWords.has(t)) ? 1 : 0));
  const threat = characters.map(() => 0);
  const fearAnger = characters.map(() => 0);
  for (const [s, view] of views) {
    const toks = tokens[s]!;
    const here = view.mentions;
    const e = emotions[s]?.dominant?.emotion;
    if (e === 'fear' || e === 'anger') for (const who of new Set(here.map((h) => h.who))) fearAnger[who]!++;
    const villainHit = new Set<number>();
    for (const m of here) {
      if (describing(input, s, view, m).some((i) => words.villainWords.has(toks[i]!.norm) && !negatedAt(toks, i, input.isNegator))) villainHit.add(m.who);
    }
    const threatHit = new Set<number>();
    toks.forEach((t, p) => {
      if (!t.word || !words.threatWords.has(t.norm)) return;
      // The agent: the nearest non-possessive mention before the verb ("the wolf ... devoured
      // her"), or the one right after "by" ("was devoured by the wolf").
      let agent: number | undefined;
      let bestEnd = -1;
      for (const h of here) {
        if (!h.possessive && h.end <= p && h.end > bestEnd) {
          bestEnd = h.end;
          agent = h.who;
        }
      }
      const by = toks.findIndex((x, k) => k > p && k <= p + 3 && x.norm === 'by');
      if (by >= 0) agent = here.find((h) => h.start > by && h.start <= by + 3)?.who ?? agent;
      if (agent !== undefined) threatHit.add(agent);
    });
    for (const who of villainHit) villain[who]!++;
    for (const who of threatHit) threat[who]!++;
  }
  const scores = characters.map((c, who) => {
    const score = 2 * villain[who]! + threat[who]! + 0.25 * fearAnger[who]!;
    return { score, villainous: !c.narrator && score >= 2 && villain[who]! + threat[who]! > 0 };
  });
  const roles: CharacterRole[] = characters.map((c) => (c.mentions >= 2 ? 'supporting' : 'other'));
  const narrator = characters.findIndex((c) => c.narrator);
  if (narrator >= 0) roles[narrator] = 'narrator';

  const ranked = characters.map((_, i) => i).filter((i) => i !== narrator);
  const villainOrder = ranked.filter((i) => scores[i]!.villainous).sort((a, b) => scores[b]!.score - scores[a]!.score || characters[b]!.mentions - characters[a]!.mentions);
  const topVillain = villainOrder[0];
  const top = ranked[0];
  let protagonist: number | undefined = top;
  if (top !== undefined) {
    const minMentions = Math.max(2, 0.4 * characters[top]!.mentions);
    if (top === topVillain) {
      // A character the text marks as villainous is its antagonist, not its protagonist by default,
      // even when nobody else is mentioned enough to take the lead.
      protagonist = ranked.find((i) => i !== top && characters[i]!.mentions >= minMentions);
    }
    const titleWords = new Set(fold(input.title).split(/[^\p{L}\p{M}]+/u).filter((w) => w.length > 1));
    const named = ranked.find(
      (i) => i !== protagonist && i !== topVillain && characters[i]!.prominence >= Math.max(2, 0.8 * characters[top]!.prominence) && inTitle(characters[i]!, titleWords),
    );
    if (named !== undefined && (protagonist === undefined || !inTitle(characters[protagonist]!, titleWords))) protagonist = named;
    // In first-person stories the narrator is the main voice: another protagonist only if mentioned as much.
    if (narrator >= 0 && protagonist !== undefined && characters[protagonist]!.prominence < characters[narrator]!.prominence) protagonist = undefined;
    if (protagonist !== undefined) roles[protagonist] = 'protagonist';
  }
  const antagonists = villainOrder.filter((i) => i !== protagonist);
  const best = antagonists[0];
  if (best !== undefined) {
    for (const i of antagonists) if (i === best || scores[i]!.score >= 0.75 * scores[best]!.score) roles[i] = 'antagonist';
  }
  return roles;
}

function inTitle(c: FoundCharacter, titleWords: ReadonlySet<string>): boolean {
  return c.keys.some((k) => {
    const words = k.replace(/^(?:noun|name):/, '').split(' ');
    return words.every((w) => titleWords.has(w));
  });
}
