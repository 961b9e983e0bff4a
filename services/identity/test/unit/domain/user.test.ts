import { ValidationError } from '@storytelling/kernel';
import { Email, IdentityEventTypes, User } from '../../../src/domain/index.js';
import { fixedClock } from '../../support/in-memory.js';

const clock = fixedClock('2026-03-01T12:00:00Z');

function newUser(): User {
  return User.register({ email: Email.parse('Ann@Example.com'), passwordHash: 'hash', displayName: ' Ann ' }, clock);
}

describe('User', () => {
  it('registers as a member with language en and records UserRegistered without secrets', () => {
    const user = newUser();
    expect(user.role).toBe('member');
    expect(user.active).toBe(true);
    expect(user.profile).toEqual({ displayName: 'Ann', firstName: null, lastName: null, language: 'en', profileImageUrl: null });
    expect(user.pendingEvents).toHaveLength(1);
    const event = user.pendingEvents[0]!;
    expect(event.type).toBe('storytelling.identity.user.registered.v1');
    expect(event.aggregateId).toBe(user.id);
    expect(event.aggregateVersion).toBe(1);
    expect(event.data).toEqual({
      userId: user.id,
      email: 'ann@example.com',
      displayName: 'Ann',
      language: 'en',
      role: 'member',
      registeredAt: '2026-03-01T12:00:00.000Z',
    });
    expect(JSON.stringify(event.data)).not.toContain('hash');
  });

  it('refuses a registration without a display name or with a bad language', () => {
    expect(() => User.register({ email: Email.parse('a@b.co'), passwordHash: 'h', displayName: '' }, clock)).toThrow(ValidationError);
    expect(() =>
      User.register({ email: Email.parse('a@b.co'), passwordHash: 'h', displayName: 'A', language: 'klingon-ish' }, clock),
    ).toThrow(ValidationError);
  });

  it('updates the profile, reports what changed and the whole profile after', () => {
    const user = newUser();
    user.markPersisted();
    expect(user.updateProfile({ firstName: 'Ann', language: 'fr-ca', displayName: 'Ann' })).toBe(true);
    const event = user.pendingEvents[0]!;
    expect(event.type).toBe(IdentityEventTypes.UserProfileUpdated);
    expect(event.aggregateVersion).toBe(2);
    expect(event.data).toEqual({
      userId: user.id,
      displayName: 'Ann',
      firstName: 'Ann',
      language: 'fr-CA',
      changedFields: ['firstName', 'language'],
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
  });

  it('records nothing when an update changes nothing', () => {
    const user = newUser();
    user.markPersisted();
    expect(user.updateProfile({ displayName: 'Ann', language: 'EN' })).toBe(false);
    expect(user.pendingEvents).toHaveLength(0);
  });

  it('assigns roles with the previous role and who did it; same role is a no-op', () => {
    const user = newUser();
    user.markPersisted();
    expect(user.assignRole('member', 'x')).toBe(false);
    expect(user.assignRole('content-moderator', '0190a1b2-0000-7000-8000-000000000001')).toBe(true);
    expect(user.pendingEvents[0]!.data).toEqual({
      userId: user.id,
      role: 'content-moderator',
      previousRole: 'member',
      assignedBy: '0190a1b2-0000-7000-8000-000000000001',
      assignedAt: '2026-03-01T12:00:00.000Z',
    });
  });

  it('deactivates once', () => {
    const user = newUser();
    user.markPersisted();
    expect(user.deactivate(null, 'gdpr request')).toBe(true);
    expect(user.deactivate(null)).toBe(false);
    expect(user.active).toBe(false);
    expect(user.pendingEvents.map((e) => e.type)).toEqual([IdentityEventTypes.UserDeactivated]);
  });

  it('links one identity per provider', () => {
    const user = newUser();
    expect(user.linkIdentity('Google', 'sub-1')).toBe(true);
    expect(user.linkIdentity('google', 'sub-1')).toBe(false);
    expect(() => user.linkIdentity('google', 'sub-2')).toThrow(/already linked/);
    expect(user.linkedIdentities.map((l) => `${l.provider}:${l.subject}`)).toEqual(['google:sub-1']);
  });

  it('round-trips through its state', () => {
    const user = newUser();
    user.markPersisted();
    const copy = User.rehydrate(user.toState(), clock);
    expect(copy.toState()).toEqual(user.toState());
    expect(copy.loadedVersion).toBe(1);
  });
});
