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
