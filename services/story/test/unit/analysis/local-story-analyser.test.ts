import { readFileSync } from 'node:fs';
import type { AnalysisResult } from '../../../src/application/ports/story-analyser.js';
import { EMOTIONS } from '../../../src/domain/emotion.js';
import { CHARACTER_ROLES } from '../../../src/domain/character-role.js';
import { LocalStoryAnalyser, splitSentences } from '../../../src/infrastructure/analysis/index.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/analysis/${name}`, import.meta.url), 'utf8');
const analyser = new LocalStoryAnalyser();
const analyse = (content: string, title = 'A story', language = 'en'): Promise<AnalysisResult> => analyser.analyse({ title, content, language });
const squash = (s: string): string => s.replace(/\s+/g, ' ');

function byName(result: AnalysisResult, pattern: RegExp) {
  return result.characters.filter((c) => pattern.test(c.name));
}

/** Everything the analyser reports must come from the text (no invented facts). */
function expectDerivedFromText(result: AnalysisResult, content: string): void {
  const text = squash(content);
  const lower = text.toLowerCase();
  const sentences = splitSentences(content);
  for (const c of result.characters) {
    expect(CHARACTER_ROLES).toContain(c.role);
    if (c.description) expect(text).toContain(c.description.replace(/…$/, ''));
    for (const t of c.traits) expect(lower).toContain(t.toLowerCase());
  }
  for (const e of result.emotions) {
    expect(EMOTIONS).toContain(e.emotion);
    expect(Number.isInteger(e.intensity)).toBe(true);
    expect(e.intensity).toBeGreaterThanOrEqual(1);
    expect(e.intensity).toBeLessThanOrEqual(10);
    const sentence = sentences[e.segmentIndex];
    expect(sentence).toBeDefined();
    expect(sentence!.text).toContain(e.quote.replace(/…$/, ''));
    expect(e.context).toMatch(new RegExp(`^Sentence ${e.segmentIndex + 1}: ${e.emotion} \\(.+\\)$`));
  }
}

describe('LocalStoryAnalyser on "Little Red-Cap" (Grimm, tr. Hunt 1884)', () => {
  const content = fixture('little-red-cap.txt');
  let result: AnalysisResult;
  beforeAll(async () => {
    result = await analyse(content, 'Little Red-Cap');
  });

  it('finds Little Red-Cap, the grandmother and the wolf — the wolf as ONE character', () => {
    expect(byName(result, /red-?cap/i)).toHaveLength(1);
    expect(byName(result, /grandmother/i)).toHaveLength(1);
    expect(byName(result, /wolf/i)).toHaveLength(1);
    expect(byName(result, /huntsman/i)).toHaveLength(1);
    // "Red-Cap" and "Little Red-Cap" are one character, named by its fullest form.
    expect(byName(result, /red-?cap/i)[0]!.name).toBe('Little Red-Cap');
  });

  it('casts Little Red-Cap as protagonist and the wolf as antagonist', () => {
    expect(byName(result, /red-?cap/i)[0]!.role).toBe('protagonist');
    expect(byName(result, /wolf/i)[0]!.role).toBe('antagonist');
    expect(byName(result, /grandmother/i)[0]!.role).toBe('supporting');
  });

  it('ranks by prominence: the three main characters first', () => {
    expect(
      result.characters
        .slice(0, 3)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['Grandmother', 'Little Red-Cap', 'Wolf']);
  });

  it('describes characters only with what the text says', () => {
    expectDerivedFromText(result, content);
    const grandmother = byName(result, /grandmother/i)[0]!;
    expect(grandmother.traits).toEqual(expect.arrayContaining(['poor', 'sick']));
    expect(grandmother.description).toMatch(/grandmother/);
  });

  it('has fear among the dominant emotions of the wolf scene', () => {
    const sentences = splitSentences(content);
    const sceneStart = sentences.findIndex((s) => s.text.includes('what big ears you have'));
    const sceneEnd = sentences.findIndex((s) => s.text.includes('How dark it was inside the wolf'));
    expect(sceneStart).toBeGreaterThan(0);
    const scene = result.emotions.filter((e) => e.segmentIndex >= sceneStart && e.segmentIndex <= sceneEnd);
    const counts = new Map<string, number>();
    for (const e of scene) counts.set(e.emotion, (counts.get(e.emotion) ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(counts.get('fear')).toBe(top);
    expect(scene.find((e) => /frightened/.test(e.quote))?.emotion).toBe('fear');
  });

  it('does not score the negated sentence as fear', () => {
    const sentences = splitSentences(content);
    const negated = sentences.findIndex((s) => s.text.startsWith('Red-Cap did not know what a wicked creature'));
    expect(negated).toBeGreaterThan(0);
    expect(result.emotions.find((e) => e.segmentIndex === negated)).toBeUndefined();
  });

  it('starts with love ("a dear little girl who was loved") and ends delighted', () => {
    expect(result.emotions[0]).toMatchObject({ emotion: 'love', segmentIndex: 0 });
    expect(result.emotions.find((e) => e.quote === 'Then all three were delighted.')?.emotion).toBe('joy');
  });

  it('never emits neutral and emits at most one emotion per sentence', () => {
    expect(result.emotions.some((e) => e.emotion === 'neutral')).toBe(false);
    const indexes = result.emotions.map((e) => e.segmentIndex);
    expect(new Set(indexes).size).toBe(indexes.length);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
  });

  it('is deterministic', async () => {
    expect(await analyse(content, 'Little Red-Cap')).toEqual(result);
  });
});

describe('LocalStoryAnalyser on fables and tales', () => {
  it('"The Boy Who Cried Wolf": the boy is the protagonist though the wolf is mentioned more', async () => {
    const content = fixture('boy-who-cried-wolf.txt');
    const result = await analyse(content, 'The Shepherd’s Boy and the Wolf');
    expect(byName(result, /wolf/i)).toHaveLength(1);
    expect(byName(result, /wolf/i)[0]!.role).toBe('antagonist');
    expect(byName(result, /shepherd-boy/i)[0]!.role).toBe('protagonist');
    expect(result.emotions.find((e) => /terror/.test(e.quote))?.emotion).toBe('fear');
    // "crying out 'Wolf! Wolf!'" is shouting and "laughed at them" is contempt, not joy.
    expect(result.emotions.find((e) => e.segmentIndex === 0)).toBeUndefined();
    expect(result.emotions.find((e) => /laughed at them/.test(e.quote))?.emotion).toBe('contempt');
    expectDerivedFromText(result, content);
  });

  it('"The Fox and the Grapes": a personified Fox (one mention), the Grapes are not a character', async () => {
    const content = fixture('fox-and-grapes.txt');
    const result = await analyse(content, 'The Fox and the Grapes');
    expect(result.characters.map((c) => c.name)).toEqual(['Fox']);
    expect(result.characters[0]!.role).toBe('protagonist');
    expect(result.emotions.map((e) => e.emotion)).toContain('sadness'); // "hiding her disappointment"
  });

  it('"The Ugly Duckling" ending is a happy passage: joy dominates', async () => {
    const content = fixture('ugly-duckling-ending.txt');
    const result = await analyse(content, 'The Ugly Duckling');
    const joy = result.emotions.filter((e) => e.emotion === 'joy').length;
    expect(joy).toBeGreaterThanOrEqual(3);
    for (const emotion of new Set(result.emotions.map((e) => e.emotion))) {
      expect(result.emotions.filter((e) => e.emotion === emotion).length).toBeLessThanOrEqual(joy);
    }
    expect(Math.max(...result.emotions.filter((e) => e.emotion === 'joy').map((e) => e.intensity))).toBeGreaterThanOrEqual(7);
    expectDerivedFromText(result, content);
  });

  it('"Mr. Fox" (Jacobs): titled names, traits from "Lady Mary was young, and Lady Mary was fair"', async () => {
    const content = fixture('mr-fox.txt');
    const result = await analyse(content, 'Mr. Fox');
    const mary = byName(result, /mary/i);
    const fox = byName(result, /fox/i);
    expect(mary).toHaveLength(1);
    expect(fox).toHaveLength(1);
    expect(mary[0]!.name).toBe('Lady Mary');
    expect(fox[0]!.name).toBe('Mr. Fox');
    expect(mary[0]!.traits).toEqual(expect.arrayContaining(['young', 'fair']));
    expect(mary[0]!.personality).toMatch(/^Described as young, fair/);
    expectDerivedFromText(result, content);
  });
});

describe('LocalStoryAnalyser: names and merging', () => {
  it('merges "the Wolf", "Wolf", "the big bad wolf" and "the Big Bad Wolf"; describing words become traits', async () => {
    const content =
      'The Wolf crept through the forest. Wolf was hungry. "Run!" cried Anna, for the big bad wolf was coming. ' +
      'Anna ran home to her grandmother. The Big Bad Wolf howled at the door, but Anna and her grandmother were safe.';
    const result = await analyse(content);
    const wolves = byName(result, /wolf/i);
    expect(wolves).toHaveLength(1);
    expect(wolves[0]!.name).toBe('Wolf');
    expect(wolves[0]!.traits).toEqual(expect.arrayContaining(['hungry', 'big', 'bad']));
    expect(byName(result, /anna/i)).toHaveLength(1);
    expectDerivedFromText(result, content);
  });

  it('merges a first name and a surname with the full name when unambiguous', async () => {
    const content =
      'John Smith lived by the sea. Every morning John walked to the harbour. The fishermen liked Mr. Smith. ' +
      'Mary Brown ran the bakery. John bought bread from Mary every day.';
    const result = await analyse(content);
    const johns = byName(result, /john|smith/i);
    expect(johns).toHaveLength(1);
    expect(johns[0]!.name).toBe('John Smith');
    expect(byName(result, /mary/i).map((c) => c.name)).toEqual(['Mary Brown']);
  });

  it('merges a title noun into the only titled name built on it', async () => {
    const content =
      'Queen Grimhilde looked into her mirror. The Queen was proud and jealous. Snow White sang in the forest. ' +
      'The queen heard the song, and Snow White hid. Mr. Fox watched them. The fox smiled.';
    const result = await analyse(content);
    const queens = byName(result, /queen|grimhilde/i);
    expect(queens.map((c) => c.name)).toEqual(['Queen Grimhilde']);
    expect(queens[0]!.traits).toEqual(expect.arrayContaining(['proud', 'jealous']));
    expect(byName(result, /fox/i).map((c) => c.name)).toEqual(['Mr. Fox']);
    expect(byName(result, /snow white/i)).toHaveLength(1);
  });

  it('keeps a first name apart when two full names share it', async () => {
    const content = 'John Smith and John Brown were neighbours. John Smith kept bees. John Brown kept goats. One day John came late.';
    const result = await analyse(content);
    expect(byName(result, /^John Smith$/)).toHaveLength(1);
    expect(byName(result, /^John Brown$/)).toHaveLength(1);
    expect(byName(result, /^John (Smith|Brown)$/)).toHaveLength(2);
  });

  it('ignores sentence-initial words, places and days that are not people', async () => {
    const content =
      'Suppose we go to London on Monday. Come, let us walk. Whither shall we go? Hans laughed. ' +
      'In London, Hans met Gretel. Gretel was clever. On Monday they went home.';
    const names = (await analyse(content)).characters.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Hans', 'Gretel']));
    for (const notAPerson of ['Suppose', 'Come', 'Whither', 'London', 'Monday']) expect(names).not.toContain(notAPerson);
  });

  it('does not take a negated adjective as a trait', async () => {
    const result = await analyse('Peter was not brave. Peter was clever and kind. Peter smiled.');
    const peter = byName(result, /peter/i)[0]!;
    expect(peter.traits).toEqual(expect.arrayContaining(['clever', 'kind']));
    expect(peter.traits).not.toContain('brave');
  });

  it('finds a villain by the words that describe it', async () => {
    const content = 'Rosa lived in a small house. Rosa loved her garden. The witch was wicked and cruel. The witch cursed the garden, and Rosa wept.';
    const result = await analyse(content);
    expect(byName(result, /rosa/i)[0]!.role).toBe('protagonist');
    const witch = byName(result, /witch/i)[0]!;
    expect(witch.role).toBe('antagonist');
    expect(witch.traits).toEqual(expect.arrayContaining(['wicked', 'cruel']));
  });

  it('keeps a villain the antagonist even when it is the only character named', async () => {
    const content = 'Once upon a time there was a dear little girl. The wicked Wolf met her in the wood. The Wolf swallowed the grandmother.';
    const result = await analyse(content);
    const wolf = byName(result, /wolf/i)[0]!;
    expect(wolf.role).toBe('antagonist');
    expect(result.characters.filter((c) => c.role === 'protagonist')).toHaveLength(0);
  });
});

describe('LocalStoryAnalyser: narrators', () => {
  it('makes the self-named first-person narrator the narrator', async () => {
    const result = await analyse(fixture('first-person.txt'));
    const tom = byName(result, /^tom$/i);
    expect(tom).toHaveLength(1);
    expect(tom[0]!.role).toBe('narrator');
    expect(result.characters[0]!.name).toBe('Tom');
    expect(byName(result, /uncle ben/i)[0]!.role).toBe('supporting');
  });

  it('adds a "Narrator" when an unnamed narrator tells the story in the first person', async () => {
    const content = 'I woke before dawn. My sister was still asleep. I crept down the stairs, and I was afraid of the dark. Nobody saw me leave.';
    const result = await analyse(content);
    const narrator = result.characters.find((c) => c.role === 'narrator');
    expect(narrator?.name).toBe('Narrator');
    expect(narrator?.description).toBe('I woke before dawn.');
  });

  it('does not treat first person inside dialogue as narration', async () => {
    const content = '"I am hungry," said the fox. "I want those grapes," said the fox. "My paws are tired," said the fox. The fox went home.';
    const result = await analyse(content);
    expect(result.characters.some((c) => c.role === 'narrator')).toBe(false);
  });
});

describe('LocalStoryAnalyser: Spanish', () => {
  it('finds the characters and emotions of a Spanish story, with negation', async () => {
    const content = fixture('caperucita-es.txt');
    const result = await analyse(content, 'Caperucita Roja', 'es');
    expect(byName(result, /caperucita roja/i)[0]?.role).toBe('protagonist');
    const lobo = byName(result, /lobo/i);
    expect(lobo).toHaveLength(1);
    expect(lobo[0]!.role).toBe('antagonist');
    expect(lobo[0]!.traits).toContain('malvado');
    expect(byName(result, /abuela/i)).toHaveLength(1);
    const sentences = splitSentences(content);
    const negated = sentences.findIndex((s) => s.text.startsWith('La niña no tenía miedo'));
    expect(result.emotions.find((e) => e.segmentIndex === negated)).toBeUndefined();
    expect(result.emotions.map((e) => e.emotion)).toEqual(expect.arrayContaining(['joy', 'fear', 'love']));
    expectDerivedFromText(result, content);
  });

  it('gives no emotions for a language without word lists, but still finds names', async () => {
    const result = await analyse('Marie était très heureuse. Marie chantait. Pierre écoutait Marie.', 'Histoire', 'fr');
    expect(result.emotions).toEqual([]);
    expect(result.characters.map((c) => c.name)).toContain('Marie');
  });
});

describe('LocalStoryAnalyser: limits', () => {
  it('returns nothing for empty or blank content', async () => {
    expect(await analyse('')).toEqual({ characters: [], emotions: [] });
    expect(await analyse('  \n\n  ')).toEqual({ characters: [], emotions: [] });
  });

  it('rejects at once with the reason of an already aborted signal', async () => {
    const controller = new AbortController();
    const reason = new DOMException('stop', 'AbortError');
    controller.abort(reason);
    await expect(analyser.analyse({ title: 'x', content: fixture('little-red-cap.txt'), language: 'en' }, controller.signal)).rejects.toBe(reason);
  });

  it('stops when the signal aborts during a long analysis', async () => {
    const content = longStory();
    const controller = new AbortController();
    const work = analyser.analyse({ title: 'Long', content, language: 'en' }, controller.signal);
    // Aborted from a timer, so only an analysis that yields to the event loop can see it in time.
    setTimeout(() => controller.abort(new DOMException('time budget spent', 'TimeoutError')), 20);
    await expect(work).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  // Not a timed test (the machine's load decides durations; bench:* measures speed): the analysis
  // must yield to the event loop while it works, so a 5 ms interval keeps firing during it.
  it('analyses 200,000 characters while yielding to the event loop', async () => {
    const content = longStory();
    expect(content.length).toBe(200_000);
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 5);
    const result = await analyser.analyse({ title: 'Little Red-Cap and friends', content, language: 'en' });
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(byName(result, /wolf/i)).toHaveLength(1);
    expect(result.characters.length).toBeLessThanOrEqual(20);
  }, 60_000);
});

function longStory(): string {
  const base = ['little-red-cap.txt', 'boy-who-cried-wolf.txt', 'ugly-duckling-ending.txt', 'mr-fox.txt', 'fox-and-grapes.txt'].map(fixture).join('\n\n');
  let content = '';
  while (content.length < 200_000) content += `${base}\n\n`;
  return content.slice(0, 200_000);
}
