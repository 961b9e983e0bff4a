// One narration world for the handlers' unit tests: the in-memory units of work, the fakes, and
// every narration handler built over them (no Nest, no PostgreSQL, no Kafka, no audio tools).
import { DomainError, FixedClock, uuidv7 } from '@storytelling/kernel';
import type { Caller } from '@storytelling/platform';
import {
  DiscardNarrationHandler,
  EraseUserNarrationsHandler,
  GenerateNarrationHandler,
  GetNarrationHandler,
  ListNarrationsHandler,
  RegenerateSegmentHandler,
  RequestNarrationHandler,
  RunNarrationJobCommand,
  RunNarrationJobHandler,
  type NarratableStory,
  type NarrationJobOutcome,
  type NarrationView,
} from '../../src/application/index.js';
import { RequestNarrationCommand, type RequestNarrationInput } from '../../src/application/index.js';
import { Voice } from '../../src/domain/index.js';
import {
  CountingWakeup,
  FakeAudioJoiner,
  FakeSpeechEngine,
  FakeStorySource,
  InMemoryNarrationUnitOfWork,
  InMemoryQuotaSagas,
  SETTINGS,
} from './narration-in-memory.js';
import { ANN, FakeMediaFiles, FakeSubscriptionPlans, InMemoryVoiceUnitOfWork } from './voice-in-memory.js';

/** The stable code a use case refused with ('ok' when it did not). */
export async function errorCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}

export const MIRA = '0190a0d0-0000-7000-8000-00000000c001';
export const WIND = '0190a0d0-0000-7000-8000-00000000c002';

/**
 * The lighthouse story, analysed: 5 sentences, a quote Mira speaks, fear, curiosity and joy. Its
 * segments: 5, or 6 when Mira speaks in a voice of her own (her quote is split off).
 */
export function lighthouse(authorId = ANN.userId, storyId = uuidv7()): NarratableStory {
  return {
    storyId,
    authorId,
    published: false,
    content: 'Mira kept the lighthouse on the cliff. The storm came at night and Mira was afraid.\n\n"Who is there?" asked Mira. The wind howled at the door. At dawn Mira smiled with joy.',
    characters: [
      { id: MIRA, name: 'Mira' },
      { id: WIND, name: 'the Wind' },
    ],
    emotions: [
      { emotion: 'fear', intensity: 6, quote: 'The storm came at night and Mira was afraid.', sentenceIndex: 1 },
      { emotion: 'curiosity', intensity: 3, quote: '"Who is there?" asked Mira.', sentenceIndex: 2 },
      { emotion: 'joy', intensity: 4, quote: 'At dawn Mira smiled with joy.', sentenceIndex: 4 },
    ],
  };
}

export type NarrationWorld = ReturnType<typeof narrationWorld>;

export function narrationWorld() {
  const clock = new FixedClock(new Date('2026-12-01T10:00:00.000Z'));
  const voiceUow = new InMemoryVoiceUnitOfWork(clock);
  const uow = new InMemoryNarrationUnitOfWork(clock, () => voiceUow.reader.voices);
  const stories = new FakeStorySource();
  const plans = new FakeSubscriptionPlans();
  const sagas = new InMemoryQuotaSagas(uow, clock);
  const engine = new FakeSpeechEngine();
  const media = new FakeMediaFiles();
  const joiner = new FakeAudioJoiner();
  const wakeup = new CountingWakeup();
  const settings = { ...SETTINGS };
  const handlers = {
    request: new RequestNarrationHandler(uow, stories, plans, sagas, settings, clock),
    generate: new GenerateNarrationHandler(uow, wakeup, clock),
    discard: new DiscardNarrationHandler(uow, media, clock),
    regenerate: new RegenerateSegmentHandler(uow, wakeup, clock),
    run: new RunNarrationJobHandler(uow, engine, media, joiner, stories, settings, clock),
    erase: new EraseUserNarrationsHandler(uow, media),
    get: new GetNarrationHandler(uow, stories),
    list: new ListNarrationsHandler(uow),
  };
  return {
    clock,
    voiceUow,
    uow,
    stories,
    plans,
    sagas,
    engine,
    media,
    joiner,
    wakeup,
    settings,
    handlers,
    /** A voice of `owner` trained (ready) with a measured profile. */
    async readyVoice(owner: Caller = ANN, name = 'Mum'): Promise<string> {
      const voice = Voice.create({ ownerId: owner.userId, name }, clock);
      const state = { ...voice.toState(), trainingStatus: 'ready' as const, provider: 'local' as const, trainedAt: clock.now(), profile: { f0MedianHz: 210, f0MinHz: 170, f0MaxHz: 260, charsPerSecond: 14 } };
      await voiceUow.run((repos) => repos.voices.add(Voice.rehydrate(state, clock)));
      return voice.id;
    },
    /** A voice of `owner` still collecting samples. */
    async collectingVoice(owner: Caller = ANN): Promise<string> {
      const voice = Voice.create({ ownerId: owner.userId, name: 'Dad' }, clock);
      await voiceUow.run((repos) => repos.voices.add(voice));
      return voice.id;
    },
    request(caller: Caller, input: Partial<RequestNarrationInput> & { storyId: string }): Promise<NarrationView> {
      return handlers.request.execute(new RequestNarrationCommand(caller, { voiceId: '', characterVoices: {}, narratorProfile: '', conversationStyle: '', ...input }));
    },
    /** Runs worker turns until one comes back idle; answers the outcomes. */
    async drain(workerId = 'worker-1'): Promise<NarrationJobOutcome[]> {
      const outcomes: NarrationJobOutcome[] = [];
      for (let i = 0; i < 20; i++) {
        const outcome = await handlers.run.execute(new RunNarrationJobCommand(workerId));
        if (outcome.kind === 'idle') return outcomes;
        outcomes.push(outcome);
      }
      throw new Error('the worker never went idle');
    },
  };
}
