import type { AnalysedEmotion, AnalysisResult, StoryAnalyser, StoryAnalysisInput } from '../../application/ports/story-analyser.js';
import { characterWordsFor } from './character-words.js';
import { findCharacters } from './characters.js';
import { scoreSentence, type SentenceEmotion } from './emotions.js';
import { lexiconFor, primaryLanguage } from './lexicon/index.js';
import { profileCharacters } from './profile.js';
import { quoteMasks } from './quotes.js';
import { splitSentences } from './segmentation.js';
import { CompromiseTagger } from './tagger.js';
import { Pacer, clip, throwIfAborted, tokenize, type Token } from './text.js';

export interface LocalStoryAnalyserOptions {
  /**
   * Sentences `compromise` may tag per analysis (name checks and traits). It tags about 40k
   * characters a second; the default keeps the worst case near a second.
   */
  taggerBudget?: number;
}

const DEFAULT_TAGGER_BUDGET = 400;

/**
 * The default analyser: offline, deterministic, no model files. The same input always gives the
 * same output.
 *
 * - Segments are sentences (`splitSentences`); `segmentIndex` is a sentence index, the same
 *   sentences narration splits the story into.
 * - Emotions: one entry per sentence that carries an emotion (`scoreSentence`: curated word lists
 *   for English and Spanish with negation and intensifiers), its dominant emotion. Sentences
 *   without emotion words are NOT emitted (`neutral` is never emitted): narration treats a
 *   sentence without an entry as neutral. Other languages get no emotions (no word lists).
 *   context = "Sentence 5: fear (afraid, trembling)" (sentences numbered from 1 for people;
 *   `segmentIndex` is 0-based), quote = the sentence clipped to 200 characters.
 * - Characters: `findCharacters` (explicit mentions, no pronoun resolution) then
 *   `profileCharacters` (description, traits, personality, role — all taken from the text).
 *
 * Works in slices of about 15 ms, yielding to the event loop between them (`Pacer`), so a
 * 200,000-character story does not stall the service, and rejects with the signal's reason at
 * the next slice after `signal` aborts.
 */
export class LocalStoryAnalyser implements StoryAnalyser {
  private readonly taggerBudget: number;

  constructor(options: LocalStoryAnalyserOptions = {}) {
    this.taggerBudget = options.taggerBudget ?? DEFAULT_TAGGER_BUDGET;
  }

  async analyse(input: StoryAnalysisInput, signal?: AbortSignal): Promise<AnalysisResult> {
    throwIfAborted(signal);
    const content = typeof input.content === 'string' ? input.content : '';
    if (content.trim() === '') return { characters: [], emotions: [] };
    const language = primaryLanguage(input.language ?? '');
    const lexicon = lexiconFor(language);
    const words = characterWordsFor(language);

    const pacer = new Pacer(signal);
    const sentences = splitSentences(content);
    const tokens: Token[][] = [];
    const scores: (SentenceEmotion | undefined)[] = [];
    const emotions: AnalysedEmotion[] = [];
    for (let s = 0; s < sentences.length; s++) {
      if (s % 50 === 0) await pacer.tick();
      const sentence = sentences[s]!;
      const toks = tokenize(sentence.text);
      tokens.push(toks);
      const score = lexicon ? scoreSentence(toks, lexicon) : undefined;
      scores.push(score);
      if (score?.dominant) {
        emotions.push({
          emotion: score.dominant.emotion,
          intensity: score.intensity,
          context: `Sentence ${s + 1}: ${score.dominant.emotion} (${score.dominant.cues.slice(0, 4).join(', ')})`,
          quote: clip(sentence.text, 200),
          segmentIndex: s,
        });
      }
    }
    await pacer.tick();

    // compromise is an English tagger; other languages rely on capitalisation and word lists.
    const tagger = language === 'en' ? await CompromiseTagger.load(this.taggerBudget) : undefined;
    const masks = quoteMasks(content, sentences, tokens);
    const found = await findCharacters({ sentences, tokens, quoteMasks: masks, words, tagger, pacer });
    const characters = await profileCharacters({
      title: input.title ?? '',
      language,
      sentences,
      tokens,
      quoteMasks: masks,
      emotions: scores,
      characters: found,
      words,
      tagger,
      isNegator: lexicon ? (n) => lexicon.isNegator(n) : (n) => n === 'not' || n === 'no',
      pacer,
    });
    throwIfAborted(signal);
    return { characters, emotions };
  }
}
