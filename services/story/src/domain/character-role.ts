/** A character's role in a story (DOMAIN.md § Storytelling). */
export const CHARACTER_ROLES = ['protagonist', 'antagonist', 'supporting', 'narrator', 'other'] as const;

export type CharacterRole = (typeof CHARACTER_ROLES)[number];

const ROLE_SET: ReadonlySet<string> = new Set(CHARACTER_ROLES);

export function isCharacterRole(value: unknown): value is CharacterRole {
  return typeof value === 'string' && ROLE_SET.has(value);
}
