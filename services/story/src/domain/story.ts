import type { Clock, FieldError } from '@storytelling/kernel';
import { AggregateRoot, systemClock, uuidv7 } from '@storytelling/kernel';
import { StoryArchivedError, StoryContentEmptyError, StoryPublishedError } from './errors.js';
import type {
  CharactersExtractedData,
  StoryAnalysisFailedData,
  StoryAnalysisRequestedData,
  StoryAnalyzedData,
  StoryArchivedData,
  StoryCreatedData,
  StoryUpdatedData,
} from './events.js';
import { StoryEventTypes, protoJson } from './events.js';
import type { StoryStatus } from './story-status.js';
import {
  DEFAULT_LANGUAGE,
  characterCount,
  contentHash,
  isBlank,
  normaliseContent,
  normaliseLanguage,
  normaliseTitle,
  throwIfInvalid,
} from './story-text.js';

export interface StoryState {
  id: string;
  authorId: string;
  title: string;
  content: string;
  /** SHA-256 of content, hex. */
  contentHash: string;
  language: string;
  status: StoryStatus;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface CreateStory {
  id?: string;
  authorId: string;
  title: unknown;
  content: unknown;
  language?: unknown;
}

/** A partial edit as the caller sent it (undefined = unchanged). */
export interface StoryChanges {
  title?: unknown;
  content?: unknown;
}

/** What a finished analysis tells the story (the results themselves are stored beside it). */
export interface AnalysisOutcome {
  contentHash: string;
  characters: ReadonlyArray<{ id: string; name: string; role: string; description: string }>;
  emotionCount: number;
  dominantEmotion: string;
  /** A stored analysis of the same content was reused; the analyser was not called. */
  reused: boolean;
}

export type AnalysisRequestOutcome =
  /** draft → analyzing: a job must be queued. */
  | 'queued'
  /** Already analysing this content: nothing to do. */
  | 'in_progress'
  /** Already analysed (or published): nothing to do. */
  | 'already_analyzed';

export class Story extends AggregateRoot {
  private constructor(
    id: string,
    private state: Omit<StoryState, 'id' | 'version'>,
    version: number,
    clock: Clock,
  ) {
    super(id, version, clock);
  }

  /** A new draft. @throws ValidationError listing every bad field. */
  static create(input: CreateStory, clock: Clock = systemClock): Story {
    const errors: FieldError[] = [];
    const title = normaliseTitle(input.title, errors);
    const content = normaliseContent(input.content, errors);
    const language =
      input.language === undefined || input.language === null || input.language === ''
        ? DEFAULT_LANGUAGE
        : normaliseLanguage(input.language, errors);
    throwIfInvalid(errors, 'invalid story');
    const now = clock.now();
    const hash = contentHash(content!);
    const story = new Story(
      input.id ?? uuidv7(now.getTime()),
      {
        authorId: input.authorId,
        title: title!,
        content: content!,
        contentHash: hash,
        language: language!,
        status: 'draft',
        publishedAt: null,
        createdAt: now,
        updatedAt: now,
      },
      0,
      clock,
    );
    story.record<StoryCreatedData>(
      StoryEventTypes.StoryCreated,
      protoJson({
        storyId: story.id,
        authorId: input.authorId,
        title: title!,
        language: language!,
        contentSha256: hash,
        contentLength: characterCount(content!),
        createdAt: now.toISOString(),
      }),
    );
    return story;
  }

  static rehydrate(state: StoryState, clock: Clock = systemClock): Story {
    const { id, version, ...rest } = state;
    return new Story(id, { ...rest }, version, clock);
  }

  get authorId(): string {
    return this.state.authorId;
  }
  get title(): string {
    return this.state.title;
  }
  get content(): string {
    return this.state.content;
  }
  get contentHash(): string {
    return this.state.contentHash;
  }
  get language(): string {
    return this.state.language;
  }
  get status(): StoryStatus {
    return this.state.status;
  }
  get publishedAt(): Date | null {
    return this.state.publishedAt;
  }
  get createdAt(): Date {
    return this.state.createdAt;
  }
  get updatedAt(): Date {
    return this.state.updatedAt;
  }

  isAuthor(userId: string): boolean {
    return this.state.authorId === userId;
  }

  /**
   * Applies a validated partial edit. A content change of an analysing or analysed story
   * returns it to draft (its analysis no longer describes it); a title-only edit keeps the
   * status. @returns false (and records nothing) when nothing changes.
   * @throws StoryArchivedError, StoryPublishedError (content of a published story), ValidationError
   */
  edit(changes: StoryChanges): boolean {
    if (this.state.status === 'archived') throw new StoryArchivedError();
    const errors: FieldError[] = [];
    const title = changes.title === undefined ? undefined : normaliseTitle(changes.title, errors);
    const content = changes.content === undefined ? undefined : normaliseContent(changes.content, errors);
    throwIfInvalid(errors, 'invalid story');
    const changed: string[] = [];
    if (title !== undefined && title !== this.state.title) changed.push('title');
    const hash = content === undefined ? undefined : contentHash(content);
    if (content !== undefined && hash !== this.state.contentHash) changed.push('content');
    if (changed.length === 0) return false;
    if (changed.includes('content') && this.state.status === 'published') throw new StoryPublishedError();

    const previousStatus = this.state.status;
    const now = this.clock.now();
    if (title !== undefined) this.state.title = title;
    if (changed.includes('content')) {
      this.state.content = content!;
      this.state.contentHash = hash!;
      if (this.state.status === 'analyzing' || this.state.status === 'analyzed') this.state.status = 'draft';
    }
    this.state.updatedAt = now;
    this.record<StoryUpdatedData>(
      StoryEventTypes.StoryUpdated,
      protoJson({
        storyId: this.id,
        authorId: this.state.authorId,
        title: this.state.title,
        contentSha256: this.state.contentHash,
        contentLength: characterCount(this.state.content),
        changedFields: changed,
        status: this.state.status,
        previousStatus,
        updatedAt: now.toISOString(),
      }),
    );
    return true;
  }

  /**
   * The author asks for an analysis. Only a draft moves (to analyzing); asking again while it
   * runs, or once the current content is analysed, changes nothing.
   * @throws StoryArchivedError, StoryContentEmptyError
   */
  requestAnalysis(): AnalysisRequestOutcome {
    switch (this.state.status) {
      case 'archived':
        throw new StoryArchivedError();
      case 'analyzing':
        return 'in_progress';
      case 'analyzed':
      case 'published':
        return 'already_analyzed';
      case 'draft':
        break;
    }
    if (isBlank(this.state.content)) throw new StoryContentEmptyError();
    const now = this.clock.now();
    this.state.status = 'analyzing';
    this.state.updatedAt = now;
    this.record<StoryAnalysisRequestedData>(
      StoryEventTypes.StoryAnalysisRequested,
      protoJson({ storyId: this.id, authorId: this.state.authorId, contentSha256: this.state.contentHash, requestedAt: now.toISOString() }),
    );
    return 'queued';
  }

  /**
   * An analysis of the current content is done (by the worker, or reused from the store when
   * the author asked for a draft whose content was analysed before): the story is analysed.
   * @returns false when the story moved on (its content changed, it was archived): the
   * outcome no longer applies and nothing is recorded.
   */
  completeAnalysis(outcome: AnalysisOutcome): boolean {
    if (outcome.contentHash !== this.state.contentHash) return false;
    const from = this.state.status;
    if (from !== 'analyzing' && !(outcome.reused && from === 'draft')) return false;
    const now = this.clock.now();
    this.state.status = 'analyzed';
    this.state.updatedAt = now;
    const base = { storyId: this.id, authorId: this.state.authorId, contentSha256: outcome.contentHash };
    this.record<StoryAnalyzedData>(
      StoryEventTypes.StoryAnalyzed,
      protoJson({
        ...base,
        characterCount: outcome.characters.length,
        emotionCount: outcome.emotionCount,
        dominantEmotion: outcome.dominantEmotion,
        reused: outcome.reused,
        analyzedAt: now.toISOString(),
      }),
    );
    this.record<CharactersExtractedData>(
      StoryEventTypes.CharactersExtracted,
      protoJson({
        ...base,
        characters: outcome.characters.map((c) => ({ characterId: c.id, name: c.name, role: c.role, description: c.description })),
        extractedAt: now.toISOString(),
      }),
    );
    return true;
  }

  /**
   * The analysis of `hash` gave up: an analysing story returns to `returnTo` (the status it had
   * when the analysis was requested, normally draft). @returns false when the story moved on.
   */
  failAnalysis(hash: string, errorCode: string, attempts: number, returnTo: StoryStatus = 'draft'): boolean {
    if (this.state.status !== 'analyzing' || hash !== this.state.contentHash) return false;
    const status: StoryStatus = returnTo === 'analyzing' || returnTo === 'archived' ? 'draft' : returnTo;
    const now = this.clock.now();
    this.state.status = status;
    this.state.updatedAt = now;
    this.record<StoryAnalysisFailedData>(
      StoryEventTypes.StoryAnalysisFailed,
      protoJson({
        storyId: this.id,
        authorId: this.state.authorId,
        contentSha256: hash,
        errorCode,
        status,
        attempts,
        failedAt: now.toISOString(),
      }),
    );
    return true;
  }

  /** Archives (the API's delete). Who may is the application's call. @returns false when already archived. */
  archive(archivedBy: string): boolean {
    if (this.state.status === 'archived') return false;
    const previousStatus = this.state.status;
    const now = this.clock.now();
    this.state.status = 'archived';
    this.state.updatedAt = now;
    this.record<StoryArchivedData>(
      StoryEventTypes.StoryArchived,
      protoJson({ storyId: this.id, authorId: this.state.authorId, previousStatus, archivedBy, archivedAt: now.toISOString() }),
    );
    return true;
  }

  toState(): StoryState {
    return { id: this.id, version: this.version, ...this.state };
  }
}
