import { MAX_SENTENCE_CHARS, splitSentences } from '../../../src/infrastructure/analysis/segmentation.js';

const texts = (content: string): string[] => splitSentences(content).map((s) => s.text);

describe('splitSentences', () => {
  it('splits on terminators followed by a new sentence', () => {
    expect(texts('The wolf ran. The girl hid! Was it over? Yes.')).toEqual(['The wolf ran.', 'The girl hid!', 'Was it over?', 'Yes.']);
  });

  it('keeps dialogue tags and lower-case continuations in the sentence', () => {
    expect(texts('"Good-day, Little Red-Cap," said he. "Oh!" she said, "what big ears you have!"')).toEqual([
      '"Good-day, Little Red-Cap," said he.',
      '"Oh!" she said, "what big ears you have!"',
    ]);
    expect(texts('What a tender young creature! what a nice plump mouthful.')).toHaveLength(1);
  });

  it('does not split after abbreviations and initials', () => {
    expect(texts('Mr. Fox met Dr. Watson and J. R. R. Tolkien in St. Ives. Then they left.')).toEqual([
      'Mr. Fox met Dr. Watson and J. R. R. Tolkien in St. Ives.',
      'Then they left.',
    ]);
    expect(texts('La Sra. García llegó. ¿Quién era? ¡Nadie lo sabía!')).toEqual(['La Sra. García llegó.', '¿Quién era?', '¡Nadie lo sabía!']);
  });

  it('ends sentences at paragraph breaks and joins hard-wrapped lines', () => {
    expect(texts('Little Red-Cap\n\nOnce upon a time\nthere was a girl.\n  \nThe end')).toEqual(['Little Red-Cap', 'Once upon a time there was a girl.', 'The end']);
  });

  it('keeps closing quotes with their sentence and splits inside quotations', () => {
    expect(texts('She cried, "Ah, how frightened I have been! How dark it was!" And then she laughed.')).toEqual([
      'She cried, "Ah, how frightened I have been!',
      'How dark it was!"',
      'And then she laughed.',
    ]);
  });

  it('numbers sentences from 0 and gives offsets into the content', () => {
    const content = '  First one.   Second\n one!\n\nThird.';
    const sentences = splitSentences(content);
    expect(sentences.map((s) => s.index)).toEqual([0, 1, 2]);
    for (const s of sentences) expect(content.slice(s.start, s.end).replace(/\s+/g, ' ')).toBe(s.text);
  });

  it('cuts unpunctuated text into bounded segments', () => {
    const content = 'word '.repeat(2000);
    const sentences = splitSentences(content);
    expect(sentences.length).toBeGreaterThan(10);
    for (const s of sentences) expect(s.text.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(sentences.map((s) => s.text).join(' ')).toBe(content.trim());
  });

  it('returns nothing for empty or blank content', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\n \t')).toEqual([]);
  });
});
