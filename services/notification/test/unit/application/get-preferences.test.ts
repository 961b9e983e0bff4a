import { DeactivateRecipientCommand, GetPreferencesQuery, UpdatePreferencesCommand } from '../../../src/application/index.js';
import { DEFAULT_PREFERENCES } from '../../../src/domain/index.js';
import { failure, unitApp, userId } from '../../support/unit-app.js';

describe('GetPreferences', () => {
  it('the defaults, then what the caller chose', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    expect(await app.getPreferences.execute(new GetPreferencesQuery(ann))).toEqual(DEFAULT_PREFERENCES);
    const chosen = { email: true, sms: false, inApp: false, mutedTypes: ['welcome'], quietHours: null, phone: null };
    await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, chosen));
    expect(await app.getPreferences.execute(new GetPreferencesQuery(ann))).toEqual(chosen);
  });

  it('a user whose UserRegistered has not arrived yet has the defaults (never RECIPIENT_NOT_FOUND)', async () => {
    const app = unitApp();
    expect(await app.getPreferences.execute(new GetPreferencesQuery({ userId: userId(), role: 'member' }))).toEqual(DEFAULT_PREFERENCES);
  });

  it('an erased recipient is RECIPIENT_NOT_FOUND', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    await app.deactivateRecipient.execute(new DeactivateRecipientCommand(ann.userId, 2));
    expect(await failure(app.getPreferences.execute(new GetPreferencesQuery(ann)))).toBe('not_found:RECIPIENT_NOT_FOUND');
  });
});
