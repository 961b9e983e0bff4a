import { ValidationError } from '@storytelling/kernel';
import { afterFailure, backoffMs, releaseTime, templateLanguage, validatePreferences, wants, type PreferencesInput } from '../../src/domain/index.js';

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
