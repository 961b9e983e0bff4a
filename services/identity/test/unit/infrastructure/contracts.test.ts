import { identityEvents } from '@storytelling/contracts';
import { SEEDED_ROLES } from '../../../migrations/1761000000001-identity-seed-roles.js';
import {
  DEFAULT_GRANTS,
  Email,
  IdentityEventTypes,
  Permission,
  ROLE_DESCRIPTIONS,
  ROLE_IDS,
  ROLE_NAMES,
  Role,
  User,
} from '../../../src/domain/index.js';
import { fixedClock } from '../../support/in-memory.js';

/** Each event type and the generated codec of its proto message. */
const CODECS: Record<string, { fromJSON(o: unknown): unknown; toJSON(m: never): unknown }> = {
  [IdentityEventTypes.UserRegistered]: identityEvents.UserRegistered,
  [IdentityEventTypes.UserAuthenticated]: identityEvents.UserAuthenticated,
  [IdentityEventTypes.UserProfileUpdated]: identityEvents.UserProfileUpdated,
  [IdentityEventTypes.RoleAssigned]: identityEvents.RoleAssigned,
  [IdentityEventTypes.UserDeactivated]: identityEvents.UserDeactivated,
  [IdentityEventTypes.PermissionGranted]: identityEvents.PermissionGranted,
};

describe('published language', () => {
  it('every event the domain records is the canonical proto3 JSON of its message', () => {
    const clock = fixedClock();
    const user = User.register({ email: Email.parse('a@b.co'), passwordHash: 'h', displayName: 'A', language: 'de' }, clock);
    user.recordAuthentication('AUTHENTICATION_METHOD_PASSWORD');
    user.updateProfile({ firstName: 'Ann', profileImageUrl: 'https://x.example/a.png' });
    user.updateProfile({ firstName: '' });
    user.assignRole('admin', '0190a1b2-0000-7000-8000-000000000001');
    user.assignRole('member', null);
    user.deactivate('0190a1b2-0000-7000-8000-000000000001', 'asked to');
    const role = Role.rehydrate({ name: 'member', description: '', grants: [], version: 0 }, clock);
    role.grant(Permission.of('stories', 'read'), '0190a1b2-0000-7000-8000-000000000001');
    const events = [...user.pendingEvents, ...role.pendingEvents];
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(CODECS)));
    for (const event of events) {
      const codec = CODECS[event.type]!;
      const canonical = codec.toJSON(codec.fromJSON(event.data) as never);
      expect({ type: event.type, data: canonical }).toEqual({ type: event.type, data: event.data });
    }
  });

  it('the role seed migration matches the domain constants', () => {
    expect(SEEDED_ROLES.map(([, name]) => name).sort()).toEqual([...ROLE_NAMES].sort());
    for (const [id, name, description, grants] of SEEDED_ROLES) {
      const roleName = name as (typeof ROLE_NAMES)[number];
      expect(id).toBe(ROLE_IDS[roleName]);
      expect(description).toBe(ROLE_DESCRIPTIONS[roleName]);
      expect(grants).toEqual(DEFAULT_GRANTS[roleName].map(([r, a]) => [r, a]));
    }
  });
});
