import { scoreSentence } from '../../../src/infrastructure/analysis/emotions.js';
import { CompiledLexicon, english, lexiconFor, spanish } from '../../../src/infrastructure/analysis/lexicon/index.js';
import { tokenize } from '../../../src/infrastructure/analysis/text.js';

const en = lexiconFor('en')!;
const es = lexiconFor('es-ES')!;
const score = (sentence: string, lexicon = en) => scoreSentence(tokenize(sentence), lexicon);

describe('emotion lexicon', () => {
  it('lists no word under two emotions', () => {
    expect(new CompiledLexicon(english).conflicts).toEqual([]);
    expect(new CompiledLexicon(spanish).conflicts).toEqual([]);
  });

  it('has English and Spanish lists and none for other languages', () => {
    expect(lexiconFor('EN-gb')?.language).toBe('en');
    expect(lexiconFor('es')?.language).toBe('es');
    expect(lexiconFor('fr')).toBeUndefined();
  });

  it('recognises inflected forms', () => {
    expect(en.lookup('trembling')?.emotion).toBe('fear');
    expect(en.lookup('sobbed')?.emotion).toBe('sadness');
    expect(en.lookup('terribly')).toBeDefined();
    expect(es.lookup('asustada')?.emotion).toBe('fear');
    expect(es.lookup('reina')).toBeUndefined();
  });
});

describe('scoreSentence', () => {
  it('finds the dominant emotion with its cue words', () => {
    const result = score('She screamed, trembling with terror.');
    expect(result.dominant?.emotion).toBe('fear');
    expect(result.dominant?.cues).toEqual(expect.arrayContaining(['screamed', 'trembling', 'terror']));
  });

  it('does not score a negated emotion word as that emotion', () => {
    expect(score('She was not happy.').dominant).toBeUndefined();
    expect(score('She was not happy.').negated).toEqual(['happy']);
    expect(score("He wasn't afraid of the dark.").dominant).toBeUndefined();
    expect(score('Red-Cap did not know what a wicked creature he was, and was not at all afraid of him.').dominant).toBeUndefined();
    expect(score('He walked on without fear.').dominant).toBeUndefined();
    // Negation ends at the clause: the second half still counts.
    expect(score('She was not tired, but she was frightened.').dominant?.emotion).toBe('fear');
  });

  it('raises intensity with intensifiers and exclamations, lowers it with downtoners', () => {
    const plain = score('She was frightened.').intensity;
    const very = score('She was very frightened.').intensity;
    const shouted = score('She was very frightened!').intensity;
    const slightly = score('She was slightly frightened.').intensity;
    expect(very).toBeGreaterThan(plain);
    expect(shouted).toBeGreaterThan(very);
    expect(slightly).toBeLessThan(plain);
    const strong = score('Terribly frightened and trembling, she screamed in terror and horror!').intensity;
    expect(strong).toBe(10);
    for (const i of [plain, very, shouted, slightly, strong]) expect(i).toBeGreaterThanOrEqual(1);
  });

  it('reads phrases: "cried out" is not weeping, "laughed at" is contempt, "oh dear" is not love', () => {
    expect(score("He brought out the villagers by crying out 'Wolf!'").dominant).toBeUndefined();
    expect(score('They laughed at him.').dominant?.emotion).toBe('contempt');
    expect(score('They laughed together.').dominant?.emotion).toBe('joy');
    expect(score('Oh dear!').dominant?.emotion).toBe('surprise');
  });

  it('treats a question as mild curiosity', () => {
    const result = score('Where does your grandmother live?');
    expect(result.dominant?.emotion).toBe('curiosity');
    expect(result.intensity).toBe(3);
  });

  it('leaves plain narration without an emotion', () => {
    expect(score('The grandmother lived out in the wood, half a league from the village.').dominant).toBeUndefined();
  });

  it('scores Spanish, with negation and intensifiers', () => {
    expect(score('Caperucita estaba muy feliz.', es).dominant?.emotion).toBe('joy');
    expect(score('La niña no tenía miedo del lobo.', es).dominant).toBeUndefined();
    expect(score('Sintió un terror terrible.', es).dominant?.emotion).toBe('fear');
    expect(score('El lobo huyó furioso.', es).dominant?.emotion).toBe('anger');
    expect(score('¡Qué asco!', es).dominant?.emotion).toBe('disgust');
  });
});
