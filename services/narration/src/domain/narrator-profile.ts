/**
 * Who tells the story (DOMAIN.md § Narration): the speech engine maps a profile to rate, pitch,
 * volume and pauses. `neutral` when the request names none.
 */
export const NARRATOR_PROFILES = ['neutral', 'grandma', 'kid', 'business', 'storyteller'] as const;
export type NarratorProfile = (typeof NARRATOR_PROFILES)[number];

export const DEFAULT_NARRATOR_PROFILE: NarratorProfile = 'neutral';

export function isNarratorProfile(value: unknown): value is NarratorProfile {
  return typeof value === 'string' && (NARRATOR_PROFILES as readonly string[]).includes(value);
}
