import { CLOCK, uuidv7, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { dominantEmotion } from '../../domain/index.js';
import { loadOwnStory, withConflictRetry } from '../access.js';
import { buildAnalysisView } from '../analysis-view.js';
import type { AnalysisWakeup, StoryUnitOfWork } from '../ports/index.js';
import { ANALYSIS_WAKEUP, STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { AnalysisView, StoryView } from '../views.js';
import { toStoryView } from '../views.js';

export interface AnalysisRequested {
  analysis: AnalysisView;
  story: StoryView;
}

export class RequestAnalysisCommand extends Command<AnalysisRequested> {
  constructor(
    readonly actor: Caller,
    readonly storyId: string,
  ) {
    super();
  }
}

/**
 * POST /stories/:id/analysis (202). A draft whose content was analysed before (same SHA-256)
 * reuses the stored analysis at once: analysed, StoryAnalyzed{reused} + CharactersExtracted, no
 * analyser call. Otherwise the draft goes to `analyzing` and a durable job is queued in the same
 * transaction; a worker picks it up. Asking again while it runs, or once analysed, changes nothing.
 */
@CommandHandler(RequestAnalysisCommand)
export class RequestAnalysisHandler implements ICommandHandler<RequestAnalysisCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ANALYSIS_WAKEUP) private readonly wakeup: AnalysisWakeup,
  ) {}

  async execute(command: RequestAnalysisCommand): Promise<AnalysisRequested> {
    let queued = false;
    const result = await withConflictRetry(false, () =>
      this.uow.run(async (repos) => {
        queued = false;
        const story = await loadOwnStory(repos, command.storyId, command.actor);
        if (story.status === 'draft') {
          const stored = await repos.analyses.find(story.id);
          if (stored && stored.contentHash === story.contentHash) {
            story.completeAnalysis({
              contentHash: stored.contentHash,
              characters: stored.characters,
              emotionCount: stored.emotions.length,
              dominantEmotion: dominantEmotion(stored.emotions),
              reused: true,
            });
            await repos.stories.save(story);
            return { analysis: await buildAnalysisView(repos, story), story: toStoryView(story) };
          }
        }
        const previousStatus = story.status;
        if (story.requestAnalysis() === 'queued') {
          const now = this.clock.now();
          await repos.stories.save(story);
          await repos.jobs.cancelActive(story.id, now);
          await repos.jobs.enqueue({ id: uuidv7(now.getTime()), storyId: story.id, contentHash: story.contentHash, previousStatus, at: now });
          queued = true;
        }
        return { analysis: await buildAnalysisView(repos, story), story: toStoryView(story) };
      }),
    );
    if (queued) this.wakeup.notify();
    return result;
  }
}
