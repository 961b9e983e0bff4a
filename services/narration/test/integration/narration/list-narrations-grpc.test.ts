// ListNarrations over gRPC (the GDPR export's source of a user's narrations): narration in
// process against real PostgreSQL, identity's real tokens. The narrations are written straight
// into narration's tables (this is the query side: how they came to be does not matter here).
import { uuidv7 } from '@storytelling/kernel';
import { STOCK_VOICE_ID } from '../../../src/domain/index.js';
import { as, outcome, registerUser, startVoiceStack, type TestUser, type VoiceStack } from '../../support/voice-harness.js';

let stack: VoiceStack;
let ann: TestUser;
let bob: TestUser;
let carl: TestUser;

const BASE = Date.parse('2026-11-01T10:00:00.000Z');

/** One narration row of `owner`, created `minutes` after BASE, with `segments` (synthesised when `audio`). */
async function narrationOf(owner: TestUser, minutes: number, options: { status?: string; segments?: number; audio?: boolean } = {}): Promise<string> {
  const id = uuidv7();
  const status = options.status ?? (options.audio ? 'completed' : 'pending');
  const at = new Date(BASE + minutes * 60_000);
  const audioKey = options.audio ? `narrations/${owner.id}/${id}/whole-1.ogg` : null;
  await stack.ds.query(
    `INSERT INTO narrations (id, story_id, owner_id, voice_id, character_voices, narrator_profile, conversation_style, status,
                             audio_object_key, audio_duration_seconds, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, '{}'::jsonb, 'neutral', 'respectful', $5, $6, $7, 1, $8, $8)`,
    [id, uuidv7(), owner.id, STOCK_VOICE_ID, status, audioKey, audioKey ? 4.5 : null, at],
  );
  for (let i = 0; i < (options.segments ?? 0); i++) {
    const key = options.audio ? `narrations/${owner.id}/${id}/segments/${i}-1.ogg` : null;
    await stack.ds.query(
      `INSERT INTO narration_segments (narration_id, segment_index, text, emotion, voice_id, audio_object_key, duration_seconds)
       VALUES ($1, $2, $3, 'neutral', $4, $5, $6)`,
      [id, i, `Segment ${i}.`, STOCK_VOICE_ID, key, key ? 1.5 : null],
    );
  }
  return id;
}

const list = (user: TestUser | undefined, page: { limit?: number; cursor?: string } = {}) =>
  stack.client.listNarrations({ page: { limit: page.limit ?? 0, cursor: page.cursor ?? '' } }, user ? as(user) : undefined);

beforeAll(async () => {
  stack = await startVoiceStack('listnar');
  [ann, bob, carl] = await Promise.all([registerUser(stack, 'Ann'), registerUser(stack, 'Bob'), registerUser(stack, 'Carl')]);
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('ListNarrations over gRPC', () => {
  let annIds: string[];
  let bobId: string;

  beforeAll(async () => {
    // Ann: five narrations (two at the same instant: the id breaks the tie) and a discarded one.
    const oldest = await narrationOf(ann, 0, { segments: 3, audio: true });
    const second = await narrationOf(ann, 1, { segments: 2 });
    const tiedA = await narrationOf(ann, 2);
    const tiedB = await narrationOf(ann, 2);
    await narrationOf(ann, 3, { status: 'discarded' });
    const newest = await narrationOf(ann, 4, { status: 'failed', segments: 1 });
    const [tiedHigh, tiedLow] = [tiedA, tiedB].sort().reverse();
    annIds = [newest, tiedHigh!, tiedLow!, second, oldest];
    bobId = await narrationOf(bob, 5, { segments: 1, audio: true });
  });

  it("lists only the caller's own narrations, newest first, discarded ones left out, with their segments and audio keys", async () => {
    const res = await list(ann);
    expect(res.narrations.map((n) => n.id)).toEqual(annIds);
    expect(res.page?.nextCursor ?? '').toBe('');
    expect(res.narrations.every((n) => n.ownerId === ann.id)).toBe(true);
    const oldest = res.narrations.at(-1)!;
    expect(oldest).toMatchObject({ status: 'completed', audioObjectKey: `narrations/${ann.id}/${oldest.id}/whole-1.ogg`, contentType: 'audio/ogg', durationSeconds: 4.5 });
    expect(oldest.segments.map((s) => [s.index, s.text, s.audioObjectKey])).toEqual([0, 1, 2].map((i) => [i, `Segment ${i}.`, `narrations/${ann.id}/${oldest.id}/segments/${i}-1.ogg`]));
    expect(res.narrations[3]!.segments.map((s) => s.audioObjectKey)).toEqual(['', '']);

    expect((await list(bob)).narrations.map((n) => n.id)).toEqual([bobId]);
    expect((await list(carl)).narrations).toEqual([]);
  });

  it('pages with the cursor, every narration exactly once', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const res = await list(ann, { limit: 2, cursor });
      seen.push(...res.narrations.map((n) => n.id));
      sizes.push(res.narrations.length);
      cursor = res.page?.nextCursor ?? '';
      if (!cursor) break;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(annIds);
  });

  it("a cursor from Ann's list does not reach Bob's narrations", async () => {
    const first = await list(ann, { limit: 1 });
    const res = await list(bob, { limit: 100, cursor: first.page!.nextCursor });
    expect(res.narrations.every((n) => n.ownerId === bob.id)).toBe(true);
  });

  it('a bad cursor or limit is INVALID_ARGUMENT; no token is UNAUTHENTICATED', async () => {
    expect(await outcome(list(ann, { cursor: 'not-a-cursor' }))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    expect(await outcome(list(ann, { cursor: Buffer.from('["2026-13-01T00:00:00.000Z","x"]').toString('base64url') }))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    expect(await outcome(list(ann, { limit: 101 }))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(list(undefined))).toMatch(/^UNAUTHENTICATED:/);
  });
});
