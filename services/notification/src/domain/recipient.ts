import { ValidationError, isUuid, type FieldError } from '@storytelling/kernel';
import { DEFAULT_PREFERENCES, type Preferences } from './preferences.js';

/**
 * The notification context's view of a user (ACL copy of identity's user): how to reach them
 * and in which language. `identityVersion` orders identity's events (older ones are ignored).
 * A deactivated recipient keeps only its id: personal data is erased and nothing is sent.
 */
export interface Recipient {
  id: string;
  email: string | null;
  displayName: string | null;
  language: string;
  active: boolean;
  identityVersion: number;
  preferences: Preferences;
}

export function newRecipient(id: string, email: string, displayName: string, language: string, identityVersion: number): Recipient {
  return { id, email, displayName, language: language || 'en', active: true, identityVersion, preferences: { ...DEFAULT_PREFERENCES, mutedTypes: [] } };
}

/** Erases personal data (email, name, phone) for good. */
export function erased(r: Recipient, identityVersion: number): Recipient {
  return {
    id: r.id,
    email: null,
    displayName: null,
    language: r.language,
    active: false,
    identityVersion: Math.max(identityVersion, r.identityVersion),
    preferences: { ...r.preferences, phone: null, sms: false },
  };
}

/** A UUID input (lower-cased). @throws ValidationError naming `field` */
export function requireUuid(field: string, value: string): string {
  if (!isUuid(value)) throw new ValidationError(`${field} is not a UUID`, [{ field, message: 'must be a UUID' }]);
  return value.toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const NAME_LENGTH = 100;

/** What identity tells us about a user when they register: how to reach them and in which language. */
export interface RecipientProfile {
  email: string;
  displayName: string;
  language: string;
}

/** A registration as identity sent it, trimmed and checked (an address and a name are needed). @throws ValidationError */
export function registeredProfile(input: RecipientProfile): RecipientProfile {
  const email = input.email.trim();
  const displayName = input.displayName.trim();
  const problems: FieldError[] = [];
  if (!EMAIL.test(email)) problems.push({ field: 'email', message: 'must be an email address' });
  if (displayName === '') problems.push({ field: 'displayName', message: 'must not be empty' });
  if (problems.length > 0) throw new ValidationError('invalid registration', problems);
  return { email, displayName: displayName.slice(0, NAME_LENGTH), language: input.language.trim() || 'en' };
}

/**
 * The copy after a registration at `identityVersion`: a new recipient, the known one refreshed
 * when the registration is newer, or the known one unchanged (older event, or erased).
 */
export function afterRegistration(
  known: Recipient | null,
  id: string,
  profile: RecipientProfile,
  identityVersion: number,
): { recipient: Recipient; write: 'insert' | 'update' | 'none' } {
  if (!known) return { recipient: newRecipient(id, profile.email, profile.displayName, profile.language, identityVersion), write: 'insert' };
  if (known.active && identityVersion > known.identityVersion) return { recipient: { ...known, ...profile, identityVersion }, write: 'update' };
  return { recipient: known, write: 'none' };
}

/**
 * The copy after a profile update at `identityVersion`; null when it changes nothing (unknown,
 * erased, or not newer than the copy). Blank fields keep the current value.
 */
export function afterProfileUpdate(known: Recipient | null, update: { displayName: string; language: string }, identityVersion: number): Recipient | null {
  if (!known || !known.active || identityVersion <= known.identityVersion) return null;
  const displayName = update.displayName.trim();
  const language = update.language.trim();
  return { ...known, displayName: displayName ? displayName.slice(0, NAME_LENGTH) : known.displayName, language: language || known.language, identityVersion };
}
