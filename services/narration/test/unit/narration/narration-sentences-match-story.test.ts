import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitSentences as storySentences } from '../../../../story/src/infrastructure/analysis/segmentation.js';
import { splitSentences } from '../../../src/domain/index.js';

// An analysis names sentences by index: narration must cut a story into the very sentences
// story's analysers numbered, or emotions land on the wrong segments. Story's fixtures (English,
// Spanish, dialogue, abbreviations, paragraphs) are split by both and compared.
const FIXTURES = join(import.meta.dirname, '../../../../story/test/fixtures/analysis');

describe("narration's sentences are story's sentences", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));

  it.each(files)('%s', (file) => {
    const content = readFileSync(join(FIXTURES, file), 'utf8');
    expect(splitSentences(content).map((s) => s.text)).toEqual(storySentences(content).map((s) => s.text));
  });
});
