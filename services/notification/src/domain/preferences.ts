import { ValidationError, type FieldError } from '@storytelling/kernel';
import { isNotificationType, NOTIFICATION_TYPES, type Channel, type NotificationType } from './notification-type.js';
import { quietHoursProblems, type QuietHours } from './quiet-hours.js';

/** A recipient's choices: channels on/off, muted types, quiet hours, and a phone for SMS. */
export interface Preferences {
  email: boolean;
  sms: boolean;
  inApp: boolean;
  mutedTypes: NotificationType[];
  quietHours: QuietHours | null;
  /** E.164; null: SMS cannot be sent. */
  phone: string | null;
}

/** What a new recipient starts with: email and in-app on, SMS off (no phone yet), nothing muted. */
export const DEFAULT_PREFERENCES: Preferences = Object.freeze({
  email: true,
  sms: false,
  inApp: true,
  mutedTypes: [],
  quietHours: null,
  phone: null,
}) as Preferences;

export interface PreferencesInput {
  email: boolean;
  sms: boolean;
  inApp: boolean;
  mutedTypes: readonly string[];
  quietHours: QuietHours | null;
  phone: string | null;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** Validates every field at once (400 with one error per bad field). */
export function validatePreferences(input: PreferencesInput): Preferences {
  const problems: FieldError[] = [];
  const muted: NotificationType[] = [];
  input.mutedTypes.forEach((t, i) => {
    if (isNotificationType(t)) {
      if (!muted.includes(t)) muted.push(t);
    } else problems.push({ field: `mutedTypes[${i}]`, message: `unknown type; one of ${NOTIFICATION_TYPES.join(', ')}` });
  });
  if (input.quietHours) problems.push(...quietHoursProblems(input.quietHours));
  const phone = input.phone === null || input.phone.trim() === '' ? null : input.phone.trim();
  if (phone !== null && !E164.test(phone)) problems.push({ field: 'phone', message: 'must be an E.164 number, e.g. +34600111222' });
  if (input.sms && phone === null) problems.push({ field: 'sms', message: 'SMS needs a phone number' });
  if (problems.length > 0) throw new ValidationError('invalid notification preferences', problems);
  return { email: input.email, sms: input.sms, inApp: input.inApp, mutedTypes: muted, quietHours: input.quietHours, phone };
}

/** Is `channel` on for `type`? Muted types are off on every channel. */
export function wants(p: Preferences, type: NotificationType, channel: Channel): boolean {
  if (p.mutedTypes.includes(type)) return false;
  if (channel === 'email') return p.email;
  if (channel === 'sms') return p.sms && p.phone !== null;
  return p.inApp;
}
