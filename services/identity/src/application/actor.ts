import { UnauthenticatedError } from '@storytelling/kernel';
import type { IdentityRepositories, User } from '../domain/index.js';

/**
 * The caller, loaded fresh: decisions use the role in the database, not the one in the access
 * token (which may be up to 15 minutes stale after a demotion). A deactivated or vanished caller
 * is unauthenticated.
 */
export async function loadActor(repos: IdentityRepositories, actorId: string): Promise<User> {
  const actor = await repos.users.findById(actorId);
  if (!actor || !actor.active) throw new UnauthenticatedError('UNAUTHENTICATED', 'the account behind this token is not active');
  return actor;
}
