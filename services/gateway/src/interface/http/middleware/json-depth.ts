// The depth limit and the scan are the platform's (MAX_JSON_DEPTH, jsonNestsDeeperThan): payments' webhooks use them too.

/** The error body-parser's `verify` throws for a too-deep body (its `type` survives body-parser). */
export class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}
