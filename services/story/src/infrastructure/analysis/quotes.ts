import type { Sentence } from './segmentation.js';
import type { Token } from './text.js';

/**
 * Which tokens are inside quotation marks (dialogue) rather than narration. Straight double
 * quotes toggle; “ ” « » ‘ ’ open and close; a straight single quote opens after a space or the
 * start of a sentence and closes otherwise (apostrophes inside words never reach here: they are
 * part of the word token). The state carries over from sentence to sentence (a quotation may
 * hold several sentences) and resets at every paragraph break, where unclosed quotations end.
 * Spanish dialogue dashes (—) are not followed.
 */
export function quoteMasks(content: string, sentences: readonly Sentence[], tokens: readonly (readonly Token[])[]): boolean[][] {
  const masks: boolean[][] = [];
  let depth = 0;
  let prevEnd = 0;
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s]!;
    if (/\n[ \t\r]*\n/.test(content.slice(prevEnd, sentence.start))) depth = 0;
    prevEnd = sentence.end;
    const toks = tokens[s]!;
    const mask = new Array<boolean>(toks.length).fill(false);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      switch (t.text) {
        case '"':
          depth = depth > 0 ? 0 : 1;
          mask[i] = true;
          continue;
        case '“':
        case '«':
        case '‘':
          depth = Math.min(depth + 1, 3);
          mask[i] = true;
          continue;
        case '”':
        case '»':
        case '’':
          mask[i] = true;
          depth = Math.max(depth - 1, 0);
          continue;
        case "'": {
          const before = t.start === 0 ? ' ' : sentence.text[t.start - 1]!;
          if (/[\s(\[“"—-]/.test(before)) depth = Math.min(depth + 1, 3);
          else depth = Math.max(depth - 1, 0);
          mask[i] = true;
          continue;
        }
        default:
          mask[i] = depth > 0;
      }
    }
    masks.push(mask);
  }
  return masks;
}
