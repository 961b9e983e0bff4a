// ListFollowing over gRPC (the GDPR export's "who I follow"): story in process with identity,
// real PostgreSQL and Kafka; follows made through FollowAuthor, times set in the table where a
// test needs a tie.
import { as, outcome, registerUser, startStack, type RunningStack, type TestUser } from '../support/app-harness.js';

describe('ListFollowing over gRPC (in process with identity, real Postgres and Kafka)', () => {
  let stack: RunningStack;
  let fan: TestUser;
  let other: TestUser;
  let authors: TestUser[];

  beforeAll(async () => {
    stack = await startStack('following');
    [fan, other, ...authors] = await Promise.all(['Fan', 'Other', 'Ava', 'Ben', 'Cy', 'Dot'].map((n) => registerUser(stack, n)));
    for (const author of authors) await stack.client.followAuthor({ authorId: author.id }, as(fan));
    // Another member's follows, and someone following the fan: neither is the fan's "following".
    await stack.client.followAuthor({ authorId: authors[0]!.id }, as(other));
    await stack.client.followAuthor({ authorId: fan.id }, as(other));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const list = (user: TestUser | undefined, page: { limit?: number; cursor?: string } = {}) =>
    stack.client.listFollowing({ page: { limit: page.limit ?? 0, cursor: page.cursor ?? '' } }, user ? as(user) : undefined);

  /** The fan's follows as the table orders them (most recent first, author id breaking ties). */
  const expected = async (): Promise<Array<[string, string]>> =>
    (
      (await stack.ds.query(
        `SELECT f.author_id, a.display_name FROM story_followers f JOIN authors a ON a.id = f.author_id
          WHERE f.follower_id = $1 ORDER BY f.followed_at DESC, f.author_id DESC`,
        [fan.id],
      )) as Array<{ author_id: string; display_name: string }>
    ).map((r) => [r.author_id, r.display_name]);

  it("lists the authors the caller follows, with their names, most recent first — only the caller's own", async () => {
    const res = await list(fan);
    expect(res.page?.nextCursor ?? '').toBe('');
    expect(res.authors.map((a) => a.displayName).sort()).toEqual(['Ava', 'Ben', 'Cy', 'Dot']);
    expect(res.authors.map((a) => [a.authorId, a.displayName])).toEqual(await expected());
    expect(res.authors.every((a) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(a.followedAt))).toBe(true);

    expect((await list(other)).authors.map((a) => a.authorId).sort()).toEqual([authors[0]!.id, fan.id].sort());
    expect((await list(authors[1]!)).authors).toEqual([]);
  });

  it('pages with the cursor, every follow exactly once, ties on the time broken by the author id', async () => {
    // Two follows at the same instant.
    await stack.ds.query(`UPDATE story_followers SET followed_at = '2026-11-01T10:00:00Z' WHERE follower_id = $1 AND author_id = ANY($2::uuid[])`, [
      fan.id,
      [authors[1]!.id, authors[2]!.id],
    ]);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const res = await list(fan, { limit: 1, cursor });
      seen.push(...res.authors.map((a) => a.authorId));
      sizes.push(res.authors.length);
      cursor = res.page?.nextCursor ?? '';
      if (!cursor) break;
    }
    expect(sizes).toEqual([1, 1, 1, 1]);
    expect(seen).toEqual((await expected()).map(([id]) => id));
  });

  it('unfollowing removes the author from the list', async () => {
    await stack.client.unfollowAuthor({ authorId: authors[3]!.id }, as(fan));
    expect((await list(fan)).authors.map((a) => a.authorId)).not.toContain(authors[3]!.id);
    expect((await list(fan)).authors).toHaveLength(3);
  });

  it('a bad cursor or limit is INVALID_ARGUMENT; no token is UNAUTHENTICATED', async () => {
    expect(await outcome(list(fan, { cursor: 'garbage' }))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    const outOfRange = Buffer.from(JSON.stringify(['-005000-01-01T00:00:00.000Z', '0190a0d0-0000-7000-8000-0000000000aa'])).toString('base64url');
    expect(await outcome(list(fan, { cursor: outOfRange }))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    expect(await outcome(list(fan, { limit: 101 }))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(list(undefined))).toBe('UNAUTHENTICATED:UNAUTHENTICATED');
  });
});
