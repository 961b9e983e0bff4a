import type { AnalysisResult, StoryAnalyser, StoryAnalysisInput } from '../../src/application/index.js';
import { AnalyserError } from '../../src/application/index.js';

/**
 * TEST-ONLY stand-in for the StoryAnalyser port (the real adapters live in
 * src/infrastructure/analysis/). Answers a fixed result unless told otherwise, records every
 * call, and can be scripted to fail, hang, or wait for a release.
 */
export class FakeStoryAnalyser implements StoryAnalyser {
  readonly calls: StoryAnalysisInput[] = [];
  /** Why calls made with slowNext were aborted, in order. */
  readonly abortReasons: unknown[] = [];
  private script: Array<(input: StoryAnalysisInput, signal?: AbortSignal) => Promise<AnalysisResult>> = [];

  constructor(private readonly result: (input: StoryAnalysisInput) => AnalysisResult = defaultResult) {}

  async analyse(input: StoryAnalysisInput, signal?: AbortSignal): Promise<AnalysisResult> {
    this.calls.push(input);
    const next = this.script.shift();
    if (next) return next(input, signal);
    return this.result(input);
  }

  /** The next call throws AnalyserError(retryable). */
  failNext(retryable: boolean, code?: string, times = 1): this {
    for (let i = 0; i < times; i++) {
      this.script.push(async () => {
        throw new AnalyserError('the fake analyser was told to fail', { retryable, ...(code ? { code } : {}) });
      });
    }
    return this;
  }

  /** The next call never answers (until its signal aborts, if `honourSignal`). */
  hangNext(honourSignal = true): this {
    this.script.push(
      (_input, signal) =>
        new Promise<AnalysisResult>((_resolve, reject) => {
          if (honourSignal) signal?.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
        }),
    );
    return this;
  }

  /** The next call answers only when the returned function is called. */
  holdNext(): () => void {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    this.script.push(async (input) => {
      await gate;
      return this.result(input);
    });
    return release;
  }

  /**
   * The next call answers `result` after `ms`, unless its signal aborts first: then it rejects at
   * once, and the abort's reason is kept in `abortReasons`.
   */
  slowNext(ms: number, result: (input: StoryAnalysisInput) => AnalysisResult = this.result): this {
    this.script.push(
      (input, signal) =>
        new Promise<AnalysisResult>((resolve, reject) => {
          const timer = setTimeout(() => resolve(result(input)), ms);
          signal?.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              this.abortReasons.push(signal.reason);
              reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
            },
            { once: true },
          );
        }),
    );
    return this;
  }

  /** The next call answers this raw value (which may be nonsense). */
  answerNext(raw: unknown): this {
    this.script.push(async () => raw as AnalysisResult);
    return this;
  }
}

export function defaultResult(input: StoryAnalysisInput): AnalysisResult {
  const words = input.content.split(/\s+/).filter(Boolean).length;
  return {
    characters: [
      { name: 'Mira', description: 'a lighthouse keeper', personality: 'stubborn, kind', role: 'protagonist', traits: ['brave', 'curious'] },
      { name: 'The Storm', description: 'a storm that will not pass', personality: 'relentless', role: 'antagonist', traits: ['loud'] },
    ],
    emotions: [
      { emotion: 'fear', intensity: 7, context: 'the storm arrives', quote: input.content.slice(0, 40), segmentIndex: 0 },
      { emotion: 'joy', intensity: 4, context: `the light holds (${words} words)`, quote: 'the light holds', segmentIndex: 1 },
      { emotion: 'fear', intensity: 5, context: 'the lamp flickers', quote: 'flicker', segmentIndex: 2 },
    ],
  };
}
