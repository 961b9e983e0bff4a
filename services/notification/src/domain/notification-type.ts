/** What a notification is about; templates, muting and urgency are per type. */
export const NOTIFICATION_TYPES = ['welcome', 'story_published', 'payment_failed', 'subscription_activated', 'quota_exceeded', 'narration_ready', 'narration_failed'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export function isNotificationType(value: unknown): value is NotificationType {
  return typeof value === 'string' && (NOTIFICATION_TYPES as readonly string[]).includes(value);
}

/** Urgent messages ignore quiet hours (a failed payment needs action now). */
export function isUrgent(type: NotificationType): boolean {
  return type === 'payment_failed';
}

export const CHANNELS = ['email', 'sms', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Languages with templates; anything else falls back to English. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export function templateLanguage(tag: string | null | undefined): Language {
  const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return primary === 'es' ? 'es' : 'en';
}

/** Channels a type may use at all (preferences then choose among them). */
export const CHANNELS_BY_TYPE: Readonly<Record<NotificationType, readonly Channel[]>> = {
  welcome: ['email', 'in_app'],
  story_published: ['email', 'in_app'],
  payment_failed: ['email', 'sms', 'in_app'],
  subscription_activated: ['email', 'sms', 'in_app'],
  quota_exceeded: ['email', 'sms', 'in_app'],
  narration_ready: ['email', 'in_app'],
  narration_failed: ['email', 'in_app'],
};
