import { DeactivateRecipientCommand, UpdatePreferencesCommand } from '../../../src/application/index.js';
import type { PreferencesInput } from '../../../src/domain/index.js';
import { failure, unitApp, userId } from '../../support/unit-app.js';

const prefs: PreferencesInput = { email: false, sms: true, inApp: true, mutedTypes: ['quota_exceeded', 'quota_exceeded'], quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Madrid' }, phone: ' +34600111222 ' };

describe('UpdatePreferences', () => {
  it('stores the validated preferences and returns them', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    const stored = await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, prefs));
    expect(stored).toEqual({ ...prefs, mutedTypes: ['quota_exceeded'], phone: '+34600111222' });
    expect(app.uow.tables.recipients.get(ann.userId)!.preferences).toEqual(stored);
  });

  it('refuses invalid preferences field by field and keeps the old ones', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    const before = app.uow.tables.recipients.get(ann.userId)!.preferences;
    expect(await failure(app.updatePreferences.execute(new UpdatePreferencesCommand(ann, { ...prefs, phone: null, mutedTypes: ['nope'] })))).toBe('validation:VALIDATION_FAILED');
    expect(app.uow.tables.recipients.get(ann.userId)!.preferences).toBe(before);
  });

  it('a user whose UserRegistered has not arrived yet is told to retry (unavailable → 503 Retry-After), never RECIPIENT_NOT_FOUND', async () => {
    const app = unitApp();
    expect(await failure(app.updatePreferences.execute(new UpdatePreferencesCommand({ userId: userId(), role: 'member' }, prefs)))).toBe('unavailable:RECIPIENT_NOT_READY');
  });

  it('a recipient who left is RECIPIENT_NOT_FOUND', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    await app.deactivateRecipient.execute(new DeactivateRecipientCommand(ann.userId, 2));
    expect(await failure(app.updatePreferences.execute(new UpdatePreferencesCommand(ann, prefs)))).toBe('not_found:RECIPIENT_NOT_FOUND');
  });
});
