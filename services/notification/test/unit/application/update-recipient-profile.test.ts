import { UpdateRecipientProfileCommand } from '../../../src/application/index.js';
import { failure, unitApp, userId } from '../../support/unit-app.js';

describe('UpdateRecipientProfile (UserProfileUpdated)', () => {
  it('a newer update changes name and language; blank fields keep theirs; older or equal versions change nothing', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    await app.updateRecipientProfile.execute(new UpdateRecipientProfileCommand(ann.userId, ' José ', 'es', 4));
    expect(app.uow.tables.recipients.get(ann.userId)).toMatchObject({ displayName: 'José', language: 'es', identityVersion: 4, email: ann.email });
    await app.updateRecipientProfile.execute(new UpdateRecipientProfileCommand(ann.userId, '', '', 5));
    expect(app.uow.tables.recipients.get(ann.userId)).toMatchObject({ displayName: 'José', language: 'es', identityVersion: 5 });
    await app.updateRecipientProfile.execute(new UpdateRecipientProfileCommand(ann.userId, 'Old Ann', 'en', 5));
    await app.updateRecipientProfile.execute(new UpdateRecipientProfileCommand(ann.userId, 'Older Ann', 'en', 2));
    expect(app.uow.tables.recipients.get(ann.userId)).toMatchObject({ displayName: 'José', language: 'es', identityVersion: 5 });
  });

  it('an unknown user stays unknown; a user id that is not a UUID is refused', async () => {
    const app = unitApp();
    const id = userId();
    await app.updateRecipientProfile.execute(new UpdateRecipientProfileCommand(id, 'Ann', 'en', 2));
    expect(app.uow.tables.recipients.has(id)).toBe(false);
    expect(await failure(app.updateRecipientProfile.execute(new UpdateRecipientProfileCommand('nope', 'Ann', 'en', 2)))).toBe('validation:VALIDATION_FAILED');
  });
});
