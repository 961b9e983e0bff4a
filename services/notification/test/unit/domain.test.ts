import { ValidationError } from '@storytelling/kernel';
import {
  afterFailure,
  afterProfileUpdate,
  afterRegistration,
  backoffMs,
  erased,
  linkPath,
  newRecipient,
  noticeContent,
  quotaNoticeKey,
  registeredProfile,
  releaseTime,
  templateLanguage,
  validatePreferences,
  wants,
  type PreferencesInput,
} from '../../src/domain/index.js';

const base: PreferencesInput = { email: true, sms: false, inApp: true, mutedTypes: [], quietHours: null, phone: null };

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.fieldErrors.map((f) => f.field);
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('preferences', () => {
  it('accepts a full valid set and dedupes muted types', () => {
    const p = validatePreferences({ ...base, sms: true, phone: '+34600111222', mutedTypes: ['story_published', 'story_published'], quietHours: { start: '22:00', end: '07:30', timeZone: 'Europe/Madrid' } });
    expect(p.mutedTypes).toEqual(['story_published']);
    expect(p.phone).toBe('+34600111222');
  });

  it('reports every bad field at once', () => {
    expect(
      fieldsOf(() => validatePreferences({ ...base, mutedTypes: ['welcome', 'spam'], quietHours: { start: '25:00', end: '7:00', timeZone: 'Mars/Olympus' }, phone: '600111222' })),
    ).toEqual(['mutedTypes[1]', 'quietHours.start', 'quietHours.end', 'quietHours.timeZone', 'phone']);
  });

  it('needs a phone for SMS and equal start/end is no window', () => {
    expect(fieldsOf(() => validatePreferences({ ...base, sms: true }))).toEqual(['sms']);
    expect(fieldsOf(() => validatePreferences({ ...base, quietHours: { start: '10:00', end: '10:00', timeZone: 'UTC' } }))).toEqual(['quietHours.end']);
  });

  it('muted types are off on every channel; SMS needs a phone', () => {
    const p = validatePreferences({ ...base, mutedTypes: ['quota_exceeded'] });
    expect(wants(p, 'quota_exceeded', 'email')).toBe(false);
    expect(wants(p, 'quota_exceeded', 'in_app')).toBe(false);
    expect(wants(p, 'payment_failed', 'email')).toBe(true);
    expect(wants(p, 'payment_failed', 'sms')).toBe(false);
  });
});

describe('quiet hours', () => {
  const madrid = { start: '22:00', end: '07:00', timeZone: 'Europe/Madrid' };

  it('outside the window: now', () => {
    const at = new Date('2026-01-15T12:00:00Z');
    expect(releaseTime(at, madrid)).toEqual(at);
    expect(releaseTime(at, null)).toEqual(at);
  });

  it('inside a window that wraps midnight: the local end (07:00 CET = 06:00Z)', () => {
    expect(releaseTime(new Date('2026-01-15T22:30:00Z'), madrid).toISOString()).toBe('2026-01-16T06:00:00.000Z');
    expect(releaseTime(new Date('2026-01-16T05:59:30Z'), madrid).toISOString()).toBe('2026-01-16T06:00:00.000Z');
    expect(releaseTime(new Date('2026-01-16T06:00:00Z'), madrid).toISOString()).toBe('2026-01-16T06:00:00.000Z');
  });

  it('uses the zone (summer time: 07:00 CEST = 05:00Z) and same-day windows', () => {
    expect(releaseTime(new Date('2026-07-01T01:00:00Z'), madrid).toISOString()).toBe('2026-07-01T05:00:00.000Z');
    const lunch = { start: '13:00', end: '15:00', timeZone: 'America/New_York' };
    expect(releaseTime(new Date('2026-01-15T18:10:00Z'), lunch).toISOString()).toBe('2026-01-15T20:00:00.000Z');
    expect(releaseTime(new Date('2026-01-15T20:10:00Z'), lunch).toISOString()).toBe('2026-01-15T20:10:00.000Z');
  });
});

describe('retries', () => {
  const policy = { maxAttempts: 4, baseMs: 1000, maxMs: 5000 };
  it('doubles, caps, then gives up', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(policy, a))).toEqual([1000, 2000, 4000, 5000]);
    const now = new Date('2026-01-01T00:00:00Z');
    expect(afterFailure(policy, 1, now)).toEqual({ retryAt: new Date('2026-01-01T00:00:01Z') });
    expect(afterFailure(policy, 4, now)).toEqual({ giveUp: true });
  });
});

it('template language falls back to English', () => {
  expect(templateLanguage('es-MX')).toBe('es');
  expect(templateLanguage('fr')).toBe('en');
  expect(templateLanguage('')).toBe('en');
});

describe('recipients (identity’s users, newest version wins)', () => {
  const id = '0190f1b2-0000-7000-8000-00000000000a';
  const profile = registeredProfile({ email: ' ann@example.com ', displayName: ` ${'A'.repeat(120)} `, language: ' ' });

  it('a registration needs an address and a name; names are cut at 100, language defaults to en', () => {
    expect(profile).toEqual({ email: 'ann@example.com', displayName: 'A'.repeat(100), language: 'en' });
    expect(fieldsOf(() => registeredProfile({ email: 'ann', displayName: ' ', language: 'en' }))).toEqual(['email', 'displayName']);
  });

  it('registration: insert when unknown, update when newer, nothing when older or erased', () => {
    const known = newRecipient(id, 'old@example.com', 'Old', 'es', 4);
    expect(afterRegistration(null, id, profile, 1).write).toBe('insert');
    expect(afterRegistration(known, id, profile, 5)).toMatchObject({ write: 'update', recipient: { email: 'ann@example.com', identityVersion: 5 } });
    expect(afterRegistration(known, id, profile, 4)).toEqual({ write: 'none', recipient: known });
    expect(afterRegistration(erased(known, 6), id, profile, 9).write).toBe('none');
  });

  it('profile update: only newer ones, blank fields keep theirs; erasure keeps the highest version', () => {
    const known = newRecipient(id, 'ann@example.com', 'Ann', 'en', 4);
    expect(afterProfileUpdate(known, { displayName: 'Ana', language: '' }, 5)).toMatchObject({ displayName: 'Ana', language: 'en', identityVersion: 5 });
    expect(afterProfileUpdate(known, { displayName: 'Ana', language: 'es' }, 4)).toBeNull();
    expect(afterProfileUpdate(null, { displayName: 'Ana', language: 'es' }, 9)).toBeNull();
    expect(erased(known, 2)).toMatchObject({ email: null, displayName: null, active: false, identityVersion: 4 });
  });
});

describe('billing notices', () => {
  const user = '0190f1b2-0000-7000-8000-00000000000b';
  const event = '0190f1b2-0000-7000-8000-00000000000c';

  it('keep only what the templates show, keyed by event; a quota notice by (user, resource, period)', () => {
    expect(noticeContent(user, event, { type: 'payment_failed', amountMinor: '-150', currency: 'usd', message: '', reason: 'insufficient_funds' })).toEqual({
      type: 'payment_failed',
      sourceKey: event,
      data: { amount: '-1.50', currency: 'USD', message: 'insufficient_funds' },
    });
    const quota = noticeContent(user, event, { type: 'quota_exceeded', tier: 'free', resource: 'stories', used: 3, limit: 3, periodStart: '2026-03-01T00:00:00Z', occurredAt: '2026-03-09T10:00:00Z' });
    expect(quota.sourceKey).toBe(quotaNoticeKey(user, 'stories', '2026-03-01T00:00:00.000Z'));
    expect(fieldsOf(() => noticeContent(user, event, { type: 'payment_failed', amountMinor: '1e3', currency: 'EUR', message: '', reason: '' }))).toEqual(['amountMinor']);
  });

  it('links point where the reader acts', () => {
    expect(linkPath('story_published', { storyId: 'a b' })).toBe('/stories/a%20b');
    expect(linkPath('payment_failed', {})).toBe('/account/billing');
  });
});
