import { DomainError, FixedClock } from '@storytelling/kernel';
import { storyEvents } from '@storytelling/contracts';
import { Story, StoryEventTypes, contentHash, excerptOf, type StoryState } from '../../../src/domain/index.js';

const AUTHOR = '0190a0d0-0000-7000-8000-000000000001';
const clock = () => new FixedClock(new Date('2026-11-20T10:00:00.000Z'));

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.code}`;
    throw err;
  }
}

function fields(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (err instanceof DomainError) return err.fieldErrors.map((f) => f.field);
    throw err;
  }
}

const draft = (content = 'Once upon a time, a keeper kept a light.') => Story.create({ authorId: AUTHOR, title: '  The Lighthouse  ', content }, clock());

/** A stored story in `status`, at version `version`. */
function stored(status: StoryState['status'], version = 3, content = 'Once upon a time.'): Story {
  const now = new Date('2026-11-20T10:00:00.000Z');
  return Story.rehydrate(
    {
      id: '0190a0d0-0000-7000-8000-0000000000aa',
      authorId: AUTHOR,
      title: 'The Lighthouse',
      content,
      contentHash: contentHash(content),
      language: 'en',
      status,
      publishedAt: null,
      createdAt: now,
      updatedAt: now,
      version,
    },
    clock(),
  );
}

describe('Story aggregate', () => {
  it('create: a trimmed title, the content as written, SHA-256, language en, draft, version 1, StoryCreated', () => {
    const s = draft();
    expect(s.title).toBe('The Lighthouse');
    expect(s.status).toBe('draft');
    expect(s.language).toBe('en');
    expect(s.version).toBe(1);
    expect(s.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.contentHash).toBe(contentHash('Once upon a time, a keeper kept a light.'));
    expect(s.pendingEvents.map((e) => e.type)).toEqual([StoryEventTypes.StoryCreated]);
    const data = s.pendingEvents[0]!.data;
    expect(data).toEqual({
      storyId: s.id,
      authorId: AUTHOR,
      title: 'The Lighthouse',
      language: 'en',
      contentSha256: s.contentHash,
      contentLength: 40,
      createdAt: '2026-11-20T10:00:00.000Z',
    });
    // the event data is the canonical proto3 JSON of StoryCreated
    expect(storyEvents.StoryCreated.toJSON(storyEvents.StoryCreated.fromJSON(data))).toEqual(data);
  });

  it('title is 3..500 characters after trimming, counted in code points', () => {
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: '  ab  ', content: '' }))).toBe('validation:VALIDATION_FAILED');
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: 'abc', content: '' }))).toBe('ok');
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: 'x'.repeat(500), content: '' }))).toBe('ok');
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: 'x'.repeat(501), content: '' }))).toBe('validation:VALIDATION_FAILED');
    // 500 emoji are 1000 UTF-16 units but 500 characters
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: '🌊'.repeat(500), content: '' }))).toBe('ok');
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: 'bad\u0007title', content: '' }))).toBe('validation:VALIDATION_FAILED');
    expect(codeOf(() => Story.create({ authorId: AUTHOR, title: undefined, content: '' }))).toBe('validation:VALIDATION_FAILED');
  });

  it('content is at most 200,000 characters, may be empty, keeps line breaks, refuses NUL; every bad field is listed', () => {
    expect(codeOf(() => draft('x'.repeat(200_000)))).toBe('ok');
    expect(codeOf(() => draft('x'.repeat(200_001)))).toBe('validation:VALIDATION_FAILED');
    expect(codeOf(() => draft(''))).toBe('ok');
    expect(draft('line one\n\tline two\r\n').content).toBe('line one\n\tline two\r\n');
    expect(codeOf(() => draft('nul \u0000 byte'))).toBe('validation:VALIDATION_FAILED');
    expect(fields(() => Story.create({ authorId: AUTHOR, title: 'no', content: 42, language: 'not a tag!' }))).toEqual(['title', 'content', 'language']);
  });

  it('language is a BCP 47 tag in canonical case, default en', () => {
    expect(Story.create({ authorId: AUTHOR, title: 'Hello', content: '', language: 'pt-br' }).language).toBe('pt-BR');
    expect(Story.create({ authorId: AUTHOR, title: 'Hello', content: '', language: '' }).language).toBe('en');
  });

  it('a content edit of an analysed story returns it to draft; a title-only edit keeps analysed', () => {
    const titled = stored('analyzed');
    expect(titled.edit({ title: 'The Lighthouse, Again' })).toBe(true);
    expect(titled.status).toBe('analyzed');
    expect(titled.version).toBe(4);

    const edited = stored('analyzed');
    expect(edited.edit({ content: 'A different tale.' })).toBe(true);
    expect(edited.status).toBe('draft');
    expect(edited.contentHash).toBe(contentHash('A different tale.'));
    const data = edited.pendingEvents[0]!.data as Record<string, unknown>;
    expect(data).toMatchObject({ changedFields: ['content'], status: 'draft', previousStatus: 'analyzed' });
    expect(storyEvents.StoryUpdated.toJSON(storyEvents.StoryUpdated.fromJSON(data))).toEqual(data);
  });

  it('a content edit while analysing returns it to draft too', () => {
    const s = stored('analyzing');
    s.edit({ content: 'Rewritten while the analyser ran.' });
    expect(s.status).toBe('draft');
  });

  it('an edit that changes nothing (same title, same content) records nothing', () => {
    const s = stored('analyzed', 3, 'Same words.');
    expect(s.edit({ title: ' The Lighthouse ', content: 'Same words.' })).toBe(false);
    expect(s.pendingEvents).toEqual([]);
    expect(s.status).toBe('analyzed');
    expect(s.version).toBe(3);
  });

  it('archived stories cannot be edited or analysed (409 STORY_ARCHIVED); archiving again changes nothing', () => {
    const s = stored('archived');
    expect(codeOf(() => s.edit({ title: 'New title' }))).toBe('conflict:STORY_ARCHIVED');
    expect(codeOf(() => s.requestAnalysis())).toBe('conflict:STORY_ARCHIVED');
    expect(s.archive(AUTHOR)).toBe(false);
  });

  it('archive from any status, with the previous status in StoryArchived', () => {
    for (const status of ['draft', 'analyzing', 'analyzed', 'published'] as const) {
      const s = stored(status);
      expect(s.archive('someone')).toBe(true);
      expect(s.status).toBe('archived');
      expect(s.pendingEvents[0]!.data).toMatchObject({ previousStatus: status, archivedBy: 'someone' });
    }
  });

  it('the content of a published story is frozen until publishing exists (409 STORY_PUBLISHED); its title is not', () => {
    const s = stored('published');
    expect(codeOf(() => s.edit({ content: 'new' }))).toBe('conflict:STORY_PUBLISHED');
    expect(s.edit({ title: 'Better title' })).toBe(true);
    expect(s.status).toBe('published');
  });

  it('analysis: draft → analyzing (queued); again while analysing or once analysed: nothing; blank content: 422', () => {
    const s = stored('draft');
    expect(s.requestAnalysis()).toBe('queued');
    expect(s.status).toBe('analyzing');
    expect(s.pendingEvents.map((e) => e.type)).toEqual([StoryEventTypes.StoryAnalysisRequested]);
    expect(s.requestAnalysis()).toBe('in_progress');
    expect(stored('analyzed').requestAnalysis()).toBe('already_analyzed');
    expect(stored('published').requestAnalysis()).toBe('already_analyzed');
    expect(codeOf(() => stored('draft', 1, '   \n ').requestAnalysis())).toBe('business_rule:STORY_CONTENT_EMPTY');
  });

  it('completeAnalysis: analysing → analysed with StoryAnalyzed + CharactersExtracted; ignored when the content moved on', () => {
    const s = stored('analyzing');
    const outcome = {
      contentHash: s.contentHash,
      characters: [{ id: '0190a0d0-0000-7000-8000-0000000000c1', name: 'Mira', role: 'protagonist', description: '' }],
      emotionCount: 3,
      dominantEmotion: 'fear',
      reused: false,
    };
    expect(s.completeAnalysis({ ...outcome, contentHash: contentHash('other') })).toBe(false);
    expect(s.completeAnalysis(outcome)).toBe(true);
    expect(s.status).toBe('analyzed');
    expect(s.pendingEvents.map((e) => e.type)).toEqual([StoryEventTypes.StoryAnalyzed, StoryEventTypes.CharactersExtracted]);
    const [analyzed, extracted] = s.pendingEvents.map((e) => e.data as Record<string, unknown>);
    expect(analyzed).toEqual({
      storyId: s.id,
      authorId: AUTHOR,
      contentSha256: s.contentHash,
      characterCount: 1,
      emotionCount: 3,
      dominantEmotion: 'fear',
      analyzedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(storyEvents.StoryAnalyzed.toJSON(storyEvents.StoryAnalyzed.fromJSON(analyzed))).toEqual(analyzed);
    expect(extracted).toEqual({
      storyId: s.id,
      authorId: AUTHOR,
      contentSha256: s.contentHash,
      characters: [{ characterId: '0190a0d0-0000-7000-8000-0000000000c1', name: 'Mira', role: 'protagonist' }],
      extractedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(storyEvents.CharactersExtracted.toJSON(storyEvents.CharactersExtracted.fromJSON(extracted))).toEqual(extracted);
    // a reused analysis may complete a draft directly (cache hit), a fresh one may not
    expect(stored('draft').completeAnalysis({ ...outcome, contentHash: contentHash('Once upon a time.') })).toBe(false);
    expect(stored('draft').completeAnalysis({ ...outcome, contentHash: contentHash('Once upon a time.'), reused: true })).toBe(true);
  });

  it('failAnalysis returns an analysing story to its previous status with StoryAnalysisFailed', () => {
    const s = stored('analyzing');
    expect(s.failAnalysis(contentHash('not this'), 'ANALYSER_UNAVAILABLE', 4)).toBe(false);
    expect(s.failAnalysis(s.contentHash, 'ANALYSER_UNAVAILABLE', 4, 'draft')).toBe(true);
    expect(s.status).toBe('draft');
    const data = s.pendingEvents[0]!.data as Record<string, unknown>;
    expect(data).toMatchObject({ errorCode: 'ANALYSER_UNAVAILABLE', status: 'draft', attempts: 4 });
    expect(storyEvents.StoryAnalysisFailed.toJSON(storyEvents.StoryAnalysisFailed.fromJSON(data))).toEqual(data);
    expect(stored('draft').failAnalysis(contentHash('Once upon a time.'), 'X', 1)).toBe(false);
  });

  it('version counts events: each recorded change is the next version (the outbox checks it)', () => {
    const s = stored('draft', 5);
    s.edit({ title: 'One' });
    s.edit({ title: 'Two' });
    expect(s.loadedVersion).toBe(5);
    expect(s.version).toBe(7);
    expect(s.pendingEvents.map((e) => e.aggregateVersion)).toEqual([6, 7]);
  });

  it('excerpt: whitespace collapsed, at most 280 characters', () => {
    expect(excerptOf('  a\n\nb  c ')).toBe('a b c');
    expect([...excerptOf('x'.repeat(1000))].length).toBe(280);
  });
});
