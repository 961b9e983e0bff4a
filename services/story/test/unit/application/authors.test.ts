// Authors (identity's users as the story context keeps them) and follows against the in-memory
// unit of work: the ACL commands the identity translator sends, following, and the followers list.
import { uuidv7 } from '@storytelling/kernel';
import { SERVICE_TOKEN_ROLE, type Caller } from '@storytelling/platform';
import {
  DeactivateAuthorCommand,
  DeactivateAuthorHandler,
  FollowAuthorCommand,
  FollowAuthorHandler,
  ListFollowersHandler,
  ListFollowersQuery,
  ListFollowingHandler,
  ListFollowingQuery,
  RecordAuthorProfileCommand,
  RecordAuthorProfileHandler,
  UnfollowAuthorCommand,
  UnfollowAuthorHandler,
} from '../../../src/application/index.js';
import { AUTHOR_ARRIVAL_WINDOW_MS, FORMER_AUTHOR_NAME, StoryEventTypes } from '../../../src/domain/index.js';
import { InMemoryStoryUnitOfWork, outcomeOf } from '../../support/in-memory.js';

const ANN = '0190a0d0-0000-7000-8000-0000000000a1';
const BOB = '0190a0d0-0000-7000-8000-0000000000b2';
const CY = '0190a0d0-0000-7000-8000-0000000000c3';
const member = (userId: string): Caller => ({ userId, role: 'member' });

describe('authors and follows (in memory)', () => {
  let uow: InMemoryStoryUnitOfWork;
  const profile = async (userId: string, displayName: string, version: number) =>
    new RecordAuthorProfileHandler(uow, uow.clock).execute(new RecordAuthorProfileCommand(userId, displayName, version));
  const deactivate = async (userId: string, version: number) => new DeactivateAuthorHandler(uow, uow.clock).execute(new DeactivateAuthorCommand(userId, version));
  const follow = async (follower: string, authorId: string) => new FollowAuthorHandler(uow, uow.clock).execute(new FollowAuthorCommand(member(follower), authorId));
  const unfollow = async (follower: string, authorId: string) => new UnfollowAuthorHandler(uow, uow.clock).execute(new UnfollowAuthorCommand(member(follower), authorId));
  const followers = async (caller: Caller, authorId: string, page: { limit?: number; cursor?: string } = {}) =>
    new ListFollowersHandler(uow, uow.clock).execute(new ListFollowersQuery(caller, authorId, page));
  const following = async (caller: Caller, page: { limit?: number; cursor?: string } = {}) => new ListFollowingHandler(uow).execute(new ListFollowingQuery(caller, page));
  const author = (id: string) => {
    const a = uow.tables.authors.get(id);
    return a && { displayName: a.displayName, active: a.active, identityVersion: a.identityVersion };
  };

  beforeEach(() => {
    uow = new InMemoryStoryUnitOfWork();
  });

  describe('RecordAuthorProfile (UserRegistered, UserProfileUpdated)', () => {
    it('creates the author with the cleaned display name; only a newer identity version changes it; no events of its own', async () => {
      await profile(ANN.toUpperCase(), '  Ann Writer ', 1);
      expect(author(ANN)).toEqual({ displayName: 'Ann Writer', active: true, identityVersion: 1 });
      await profile(ANN, 'Ann Two', 3);
      await profile(ANN, 'Ann Older', 2); // overtaken
      await profile(ANN, 'Ann Same', 3); // redelivered fact
      expect(author(ANN)).toEqual({ displayName: 'Ann Two', active: true, identityVersion: 3 });
      expect(uow.events()).toEqual([]);
    });

    it('no display name or no valid user id is a ValidationError (dead-lettered as malformed); nothing is written', async () => {
      expect(await outcomeOf(profile(ANN, '   ', 1))).toBe('validation:VALIDATION_FAILED');
      expect(await outcomeOf(profile('not-a-uuid', 'Ann', 1))).toBe('validation:INVALID_ID');
      expect(uow.tables.authors.size).toBe(0);
    });
  });

  describe('DeactivateAuthor (UserDeactivated)', () => {
    it('anonymises the author for good and forgets the follows both ways, publishing AuthorUnfollowed on each followed author and on their own stream', async () => {
      for (const [id, name] of [[ANN, 'Ann Private'], [BOB, 'Bob'], [CY, 'Cy']] as const) await profile(id, name, 1);
      await follow(ANN, BOB);
      await follow(ANN, CY);
      await follow(BOB, ANN);

      await deactivate(ANN, 2);
      expect(author(ANN)).toEqual({ displayName: FORMER_AUTHOR_NAME, active: false, identityVersion: 2 });
      expect(uow.tables.follows).toEqual([]);
      expect(uow.events(ANN).map((e) => [e.type, e.data])).toEqual([
        [StoryEventTypes.AuthorFollowed, expect.objectContaining({ followerId: BOB })],
        [StoryEventTypes.AuthorUnfollowed, expect.objectContaining({ authorId: ANN, followerId: BOB })],
      ]);
      for (const followed of [BOB, CY]) {
        expect(uow.events(followed).map((e) => [e.type, e.data])).toEqual([
          [StoryEventTypes.AuthorFollowed, expect.objectContaining({ followerId: ANN })],
          [StoryEventTypes.AuthorUnfollowed, expect.objectContaining({ authorId: followed, followerId: ANN })],
        ]);
      }

      await profile(ANN, 'Ann Returns', 3);
      expect(author(ANN)!.displayName).toBe(FORMER_AUTHOR_NAME);
      expect(await outcomeOf(follow(CY, ANN))).toBe('not_found:AUTHOR_NOT_FOUND');
    });

    it('a deactivation heard first leaves an anonymous author that a late registration cannot name', async () => {
      await deactivate(BOB, 4);
      await profile(BOB, 'Ghost Name', 1);
      expect(author(BOB)).toEqual({ displayName: FORMER_AUTHOR_NAME, active: false, identityVersion: 4 });
    });
  });

  describe('FollowAuthor and UnfollowAuthor', () => {
    it('follow appends AuthorFollowed once (idempotent); unfollow appends AuthorUnfollowed once', async () => {
      await profile(ANN, 'Ann', 1);
      await follow(BOB, ANN);
      await follow(BOB, ANN);
      expect(uow.tables.follows).toEqual([{ authorId: ANN, followerId: BOB, followedAt: uow.clock.now() }]);
      await unfollow(BOB, ANN);
      await unfollow(BOB, ANN);
      expect(uow.tables.follows).toEqual([]);
      expect(uow.events(ANN).map((e) => [e.type, e.aggregateVersion])).toEqual([
        [StoryEventTypes.AuthorFollowed, 1],
        [StoryEventTypes.AuthorUnfollowed, 2],
      ]);
    });

    it('yourself is CANNOT_FOLLOW_SELF; an unknown author AUTHOR_NOT_FOUND', async () => {
      await profile(ANN, 'Ann', 1);
      expect(await outcomeOf(follow(ANN, ANN))).toBe('business_rule:CANNOT_FOLLOW_SELF');
      expect(await outcomeOf(follow(ANN, BOB))).toBe('not_found:AUTHOR_NOT_FOUND');
      expect(await outcomeOf(unfollow(ANN, BOB))).toBe('not_found:AUTHOR_NOT_FOUND');
      expect(uow.events()).toEqual([]);
    });

    it('an author who registered moments ago (UserRegistered not here yet) is AUTHOR_NOT_READY (503 + Retry-After), never AUTHOR_NOT_FOUND; later, an unknown id is', async () => {
      await profile(ANN, 'Ann', 1);
      const newcomer = uuidv7(uow.clock.now().getTime() - 2_000);
      const service: Caller = { userId: 'service:notification', role: SERVICE_TOKEN_ROLE };
      expect(await outcomeOf(follow(ANN, newcomer))).toBe('unavailable:AUTHOR_NOT_READY');
      expect(await outcomeOf(unfollow(ANN, newcomer))).toBe('unavailable:AUTHOR_NOT_READY');
      expect(await outcomeOf(followers(service, newcomer))).toBe('unavailable:AUTHOR_NOT_READY');
      uow.clock.advance(AUTHOR_ARRIVAL_WINDOW_MS);
      expect(await outcomeOf(follow(ANN, newcomer))).toBe('not_found:AUTHOR_NOT_FOUND');
      expect(await outcomeOf(follow(ANN, uuidv7(uow.clock.now().getTime() + 3_600_000)))).toBe('not_found:AUTHOR_NOT_FOUND'); // not an id identity made
      expect(uow.events()).toEqual([]);
    });
  });

  describe('ListFollowers', () => {
    it('the author or a service lists them newest first, in pages, with display names; anyone else is FOLLOWERS_PRIVATE', async () => {
      await profile(ANN, 'Ann', 1);
      await profile(BOB, 'Bob', 1);
      await follow(BOB, ANN);
      uow.clock.advance(1000);
      await follow(CY, ANN); // Cy's registration has not reached story yet

      const first = await followers(member(ANN), ANN, { limit: 1 });
      expect(first.items).toEqual([{ userId: CY, displayName: '', followedAt: uow.clock.now() }]);
      const second = await followers(member(ANN), ANN, { limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((f) => [f.userId, f.displayName])).toEqual([[BOB, 'Bob']]);
      expect(second.nextCursor).toBeUndefined();

      const service: Caller = { userId: 'service:notification', role: SERVICE_TOKEN_ROLE };
      expect((await followers(service, ANN)).items).toHaveLength(2);
      expect(await outcomeOf(followers(service, CY))).toBe('not_found:AUTHOR_NOT_FOUND');
      expect(await outcomeOf(followers(member(BOB), ANN))).toBe('forbidden:FOLLOWERS_PRIVATE');
    });
  });

  describe('ListFollowing', () => {
    it("the caller's own follows, most recently followed first, in pages, with the authors' names; a bad cursor is INVALID_CURSOR", async () => {
      await profile(ANN, 'Ann', 1);
      await profile(BOB, 'Bob', 1);
      await profile(CY, 'Cy', 1);
      await follow(CY, ANN);
      uow.clock.advance(1000);
      await follow(CY, BOB);
      await follow(ANN, BOB); // someone else's follow

      const first = await following(member(CY), { limit: 1 });
      expect(first.items).toEqual([{ authorId: BOB, displayName: 'Bob', followedAt: uow.clock.now() }]);
      const second = await following(member(CY), { limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((f) => [f.authorId, f.displayName])).toEqual([[ANN, 'Ann']]);
      expect(second.nextCursor).toBeUndefined();
      expect((await following(member(BOB))).items).toEqual([]);
      expect(await outcomeOf(following(member(CY), { cursor: 'nope' }))).toBe('validation:INVALID_CURSOR');
    });
  });
});
