/** Small text helpers shared by the local analyser's parts. */

export interface Token {
  /** The token as written. */
  text: string;
  /** Lower case, diacritics removed, curly apostrophes straightened, possessive 's removed. */
  norm: string;
  /** Offset in the sentence. */
  start: number;
  /** A word (letters, inner apostrophes/hyphens) rather than punctuation or a number. */
  word: boolean;
}

const TOKEN_RE = /[\p{L}\p{M}](?:[\p{L}\p{M}]|['’\-](?=[\p{L}\p{M}]))*|\d+(?:[.,]\d+)*|\S/gu;

/** Lower case without diacritics: "Está" → "esta", "Niño" → "nino". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/’/g, "'");
}

export function tokenize(sentence: string): Token[] {
  const out: Token[] = [];
  for (const m of sentence.matchAll(TOKEN_RE)) {
    const text = m[0];
    const word = /^[\p{L}\p{M}]/u.test(text);
    let norm = fold(text);
    if (word) norm = norm.replace(/'s$/, '');
    out.push({ text, norm, start: m.index, word });
  }
  return out;
}

export function isCapitalised(word: string): boolean {
  const first = word[0];
  return first !== undefined && first !== first.toLowerCase() && first === first.toUpperCase();
}

/** Trims to at most `max` characters at a word boundary, adding "…" when cut. */
export function clip(text: string, max = 200): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

/** Resolves after yielding to the event loop; rejects with the signal's reason when aborted. */
export function yieldToEventLoop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    setImmediate(() => {
      if (signal?.aborted) reject(abortReason(signal));
      else resolve();
    });
  });
}

/**
 * Cooperative slicing: `await pacer.tick()` in a loop yields to the event loop (and checks the
 * signal) once `sliceMs` have passed since the last yield, so long analyses never block the
 * service for more than about a slice.
 */
export class Pacer {
  private last = performance.now();

  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = 15,
  ) {}

  async tick(): Promise<void> {
    if (performance.now() - this.last < this.sliceMs) return;
    await yieldToEventLoop(this.signal);
    this.last = performance.now();
  }
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortReason(signal);
}
