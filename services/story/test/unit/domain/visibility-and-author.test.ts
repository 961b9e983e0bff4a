import { DomainError, FixedClock } from '@storytelling/kernel';
import { storyEvents } from '@storytelling/contracts';
import { SERVICE_TOKEN_ROLE } from '@storytelling/platform';
import { Author, FORMER_AUTHOR_NAME, SERVICE_READER_ROLE, mayArchive, mayEdit, mayRead } from '../../../src/domain/index.js';

const A = '0190a0d0-0000-7000-8000-000000000001';
const B = '0190a0d0-0000-7000-8000-000000000002';

describe('visibility', () => {
  const member = { userId: B, role: 'member' };
  const admin = { userId: B, role: 'admin' };
  const author = { userId: A, role: 'member' };

  it('drafts, analysing and analysed stories are the author’s alone; published ones everyone’s; archived the author’s', () => {
    for (const status of ['draft', 'analyzing', 'analyzed', 'archived'] as const) {
      expect([status, mayRead({ authorId: A, status }, author), mayRead({ authorId: A, status }, member), mayRead({ authorId: A, status }, admin)]).toEqual([
        status,
        true,
        false,
        false,
      ]);
    }
    expect(mayRead({ authorId: A, status: 'published' }, member)).toBe(true);
  });

  it('a fleet service (service token) reads every story that is not archived; it never edits or archives', () => {
    const service = { userId: 'service:narration', role: SERVICE_TOKEN_ROLE };
    expect(SERVICE_READER_ROLE).toBe(SERVICE_TOKEN_ROLE);
    for (const status of ['draft', 'analyzing', 'analyzed', 'published'] as const) expect([status, mayRead({ authorId: A, status }, service)]).toEqual([status, true]);
    expect(mayRead({ authorId: A, status: 'archived' }, service)).toBe(false);
    expect(mayEdit({ authorId: A }, service)).toBe(false);
    expect(mayArchive({ authorId: A }, service)).toBe(false);
  });

  it('the author or an admin archives; only the author edits', () => {
    expect(mayArchive({ authorId: A }, author)).toBe(true);
    expect(mayArchive({ authorId: A }, admin)).toBe(true);
    expect(mayArchive({ authorId: A }, { userId: B, role: 'super-admin' })).toBe(true);
    expect(mayArchive({ authorId: A }, member)).toBe(false);
    expect(mayArchive({ authorId: A }, { userId: B, role: 'content-moderator' })).toBe(false);
    expect(mayEdit({ authorId: A }, admin)).toBe(false);
  });
});

describe('Author (ACL copy of an identity user)', () => {
  const clock = new FixedClock(new Date('2026-11-20T10:00:00.000Z'));

  it('applies only newer identity versions: redelivered and overtaken events change nothing', () => {
    const a = Author.fromIdentity(A, '  Ann  ', 1, clock);
    expect(a.displayName).toBe('Ann');
    expect(a.applyProfile('Annie', 3)).toBe(true);
    expect(a.applyProfile('Ann (old)', 2)).toBe(false);
    expect(a.applyProfile('Annie again', 3)).toBe(false);
    expect(a.displayName).toBe('Annie');
    expect(a.identityVersion).toBe(3);
  });

  it('deactivation anonymises for good, whatever arrives later', () => {
    const a = Author.fromIdentity(A, 'Ann', 1, clock);
    expect(a.deactivate(4)).toBe(true);
    expect(a.displayName).toBe(FORMER_AUTHOR_NAME);
    expect(a.active).toBe(false);
    expect(a.applyProfile('Ann is back', 9)).toBe(false);
    expect(a.displayName).toBe(FORMER_AUTHOR_NAME);
    expect(a.deactivate(5)).toBe(false);
    const first = Author.deactivatedFromIdentity(B, 7, clock);
    expect(first.displayName).toBe(FORMER_AUTHOR_NAME);
    expect(first.applyProfile('Bob', 1)).toBe(false);
  });

  it('follow: not yourself (422), not a deactivated author (404); events carry author and follower', () => {
    const a = Author.fromIdentity(A, 'Ann', 1, clock);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (err) {
        return err instanceof DomainError ? `${err.kind}:${err.code}` : 'other';
      }
    };
    expect(code(() => a.recordFollow(A))).toBe('business_rule:CANNOT_FOLLOW_SELF');
    a.recordFollow(B);
    a.recordUnfollow(B);
    expect(a.version).toBe(2);
    const [followed, unfollowed] = a.pendingEvents.map((e) => e.data as Record<string, unknown>);
    expect(followed).toEqual({ authorId: A, followerId: B, followedAt: '2026-11-20T10:00:00.000Z' });
    expect(storyEvents.AuthorFollowed.toJSON(storyEvents.AuthorFollowed.fromJSON(followed))).toEqual(followed);
    expect(storyEvents.AuthorUnfollowed.toJSON(storyEvents.AuthorUnfollowed.fromJSON(unfollowed))).toEqual(unfollowed);
    const gone = Author.deactivatedFromIdentity(A, 2, clock);
    expect(code(() => gone.recordFollow(B))).toBe('not_found:AUTHOR_NOT_FOUND');
  });
});
