/**
 * How deep a JSON body may nest arrays and objects: the gateway's JSON routes (their deepest DTO
 * nests 3 levels) and payments' webhook bodies (a Stripe event nests about 8). 32 leaves room and
 * keeps everything recursive that reads a body (class-transformer, class-validator,
 * JSON.stringify, PostgreSQL's jsonb) far from its stack limit (depth 3,000 overflowed
 * class-transformer: issue 12, item 1; depth 10,000 overflows JSON.stringify).
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether UTF-8 JSON bytes nest deeper than `max`, found by one pass over the bytes that stops at
 * the first level too deep, before anything parses them. Brackets inside strings do not count.
 * (In UTF-8 no byte of a multi-byte character is ASCII, so bytes can be compared directly.)
 * Not a validator: malformed JSON is left to the parser.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}
