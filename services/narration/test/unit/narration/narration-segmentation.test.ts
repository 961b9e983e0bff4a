import { MAX_SEGMENT_CHARS, cutLong, segmentStory, sentenceEmotions, splitSentences, voiceSegments, voicedCharacters } from '../../../src/domain/index.js';
import { MIRA, WIND, lighthouse } from '../../support/narration-world.js';

describe('sentences (the rules story numbers them by)', () => {
  it('splits on terminators followed by a new sentence, keeps abbreviations, initials and inner quotes', () => {
    const text = 'Mr. Fox met J. R. Smith at 3.15 p.m. in St. Albans. "Oh!" she said. Was it late?! It was… late. 2 owls flew.';
    expect(splitSentences(text).map((s) => s.text)).toEqual([
      'Mr. Fox met J. R. Smith at 3.15 p.m. in St. Albans.',
      '"Oh!" she said.',
      'Was it late?!',
      'It was… late.',
      '2 owls flew.',
    ]);
  });

  it('a blank line ends a paragraph and a sentence; single line breaks are spaces', () => {
    const s = splitSentences('The sea was\ngrey and cold\n\nThen the light went out.');
    expect(s.map((x) => [x.text, x.paragraph])).toEqual([
      ['The sea was grey and cold', 0],
      ['Then the light went out.', 1],
    ]);
  });

  it('cuts an over-long sentence at a clause, then a space', () => {
    const long = `${'word '.repeat(80)}and then, ${'more words '.repeat(30)}end`;
    const parts = cutLong(long, 300);
    expect(parts.every((p) => p.length <= 300)).toBe(true);
    expect(parts.join(' ')).toBe(long.replace(/\s+/g, ' ').trim());
  });
});

describe('emotions per sentence', () => {
  it('places a moment by its quote first, by its index otherwise; the strongest wins; the rest is neutral', () => {
    const sentences = splitSentences('One calm line. A scary line! A happy line.');
    const emotions = sentenceEmotions(sentences, [
      { emotion: 'fear', intensity: 6, quote: 'A scary line!', sentenceIndex: 7 }, // wrong index, right quote
      { emotion: 'surprise', intensity: 2, quote: '', sentenceIndex: 1 },
      { emotion: 'joy', intensity: 4, quote: 'not in the text at all', sentenceIndex: 2 },
      { emotion: 'anger', intensity: 9, quote: '', sentenceIndex: 99 }, // nowhere: dropped
    ]);
    expect(emotions).toEqual(['neutral', 'fear', 'joy']);
  });
});

describe('segmentStory', () => {
  it('gives every segment its emotion and its speaker: speech of a character with a voice of its own is a segment of its own', () => {
    const segments = segmentStory(lighthouse());
    expect(segments).toEqual([
      { index: 0, text: 'Mira kept the lighthouse on the cliff.', emotion: 'neutral', characterId: null },
      { index: 1, text: 'The storm came at night and Mira was afraid.', emotion: 'fear', characterId: null },
      { index: 2, text: '"Who is there?"', emotion: 'curiosity', characterId: MIRA },
      { index: 3, text: 'asked Mira.', emotion: 'curiosity', characterId: null },
      { index: 4, text: 'The wind howled at the door.', emotion: 'neutral', characterId: null },
      { index: 5, text: 'At dawn Mira smiled with joy.', emotion: 'joy', characterId: null },
    ]);
    // Nobody speaks in another voice: the quote stays with its sentence (one synthesis less).
    expect(segmentStory(lighthouse(), { voiced: voicedCharacters({ [MIRA]: 'narrator' }, 'narrator') }).map((s) => [s.text, s.characterId])).toEqual([
      ['Mira kept the lighthouse on the cliff.', null],
      ['The storm came at night and Mira was afraid.', null],
      ['"Who is there?" asked Mira.', null],
      ['The wind howled at the door.', null],
      ['At dawn Mira smiled with joy.', null],
    ]);
  });

  it('joins neighbouring sentences of one emotion and speaker up to ~500 characters, never splitting a sentence below that', () => {
    const sentence = 'The keeper climbed the long stair and lit the great lamp for the ships.'; // 71 characters
    const content = Array.from({ length: 20 }, () => sentence).join(' ');
    const segments = segmentStory({ content, characters: [], emotions: [] });
    expect(segments.length).toBeGreaterThan(2);
    for (const s of segments) {
      expect(s.text.length).toBeLessThanOrEqual(MAX_SEGMENT_CHARS);
      expect(s.text.startsWith('The keeper') && s.text.endsWith('ships.')).toBe(true);
    }
    expect(segments.map((s) => s.text).join(' ')).toBe(content);
  });

  it('cuts a sentence longer than the limit at clauses', () => {
    const content = `${'The waves rose, '.repeat(40)}and fell.`;
    const segments = segmentStory({ content, characters: [], emotions: [] });
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.every((s) => s.text.length <= MAX_SEGMENT_CHARS)).toBe(true);
    expect(segments.map((s) => s.text).join(' ')).toBe(content);
  });

  it('attributes speech before the name, after it, across sentences, and leaves unattributable speech with the narration', () => {
    const story = {
      content: [
        'The Wind said: “I am cold. I am so cold.” Then it was quiet.',
        '"Is anyone there?" The door creaked.',
        '“Come in,” whispered Mira, “and close the door.”',
      ].join('\n\n'),
      characters: [
        { id: MIRA, name: 'Mira' },
        { id: WIND, name: 'the Wind' },
      ],
      emotions: [],
    };
    const segments = segmentStory(story).map((s) => [s.text, s.characterId]);
    expect(segments).toEqual([
      ['The Wind said:', null],
      ['“I am cold. I am so cold.”', WIND],
      ['Then it was quiet. "Is anyone there?" The door creaked.', null],
      ['“Come in,”', MIRA],
      ['whispered Mira,', null],
      ['“and close the door.”', MIRA],
    ]);
  });

  it('an empty story has no segments', () => {
    expect(segmentStory({ content: ' \n\n ', characters: [], emotions: [] })).toEqual([]);
  });

  it('voices: a speaking character with a voice of its own gets it, everything else the narrator', () => {
    const drafts = segmentStory(lighthouse());
    const voiced = voiceSegments(drafts, 'narrator-voice', { [MIRA]: 'mira-voice' });
    expect(voiced.map((s) => s.voiceId)).toEqual(['narrator-voice', 'narrator-voice', 'mira-voice', 'narrator-voice', 'narrator-voice', 'narrator-voice']);
    expect(voiced.every((s) => s.audio === null && s.revision === 0)).toBe(true);
  });
});
