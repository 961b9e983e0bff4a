import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { narrationEvents } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { waitUntil } from '@storytelling/testing';
import { as, deliveriesOf, PUBLIC_WEB_URL, registerUser, startStack, type Stack, type TestUser } from '../support/harness.js';
import { TestKafka } from '../support/kafka.js';
import { parseMail, type ReceivedMail } from '../support/smtp.js';

const { NarrationGenerated, NarrationFailed } = narrationEvents;

/**
 * narration's NarrationGenerated / NarrationFailed on `narration.narration.events` (published here
 * as narration's relay would) reach the narration's owner: an in-app notification and an email,
 * written by the local file sink as a .eml (no SMTP_URL), once per narration and outcome.
 */
describe('narration notices (real Postgres, Kafka; email as .eml files)', () => {
  let stack: Stack;
  let kafka: TestKafka;
  let mailDir: string;
  let owner: TestUser;

  beforeAll(async () => {
    mailDir = await mkdtemp(join(tmpdir(), 'notification-narration-mail-'));
    stack = await startStack('narration', { notificationEnv: { SMTP_URL: '', MAIL_DIR: mailDir } });
    kafka = await TestKafka.start(stack.sandbox);
    owner = await registerUser(stack, 'Nora');
  });

  afterAll(async () => {
    await kafka?.close();
    await stack?.close();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
  });

  /** The .eml files the sink wrote for `address` with `subject`. */
  async function emlFiles(address: string, subject: string): Promise<ReceivedMail[]> {
    const names = (await readdir(mailDir)).filter((n) => n.endsWith('.eml'));
    const mails = await Promise.all(names.map(async (n) => parseMail(await readFile(join(mailDir, n), 'utf8'), { from: '', to: [] })));
    return mails.filter((m) => m.headers.to === address && m.subject === subject);
  }

  const inApp = async (user: TestUser) => (await stack.client.listNotifications({ page: { limit: 20, cursor: '' }, unreadOnly: false }, as(user.token))).notifications;

  const generated = (narrationId: string, storyId: string, options: { id?: string } = {}) =>
    kafka.publish(NarrationGenerated.topic, NarrationGenerated.type, narrationId, { narrationId, storyId, ownerId: owner.id, segments: 12, durationSeconds: 93.5, sagaId: uuidv7() }, options);

  it('NarrationGenerated → the owner sees "Your narration is ready" in-app and gets the email (.eml); a redelivered or duplicate event notifies once', async () => {
    const [narrationId, storyId] = [uuidv7(), uuidv7()];
    const eventId = await generated(narrationId, storyId);
    await waitUntil(async () => (await inApp(owner)).some((n) => n.type === 'narration_ready'), 20_000);
    expect((await inApp(owner)).find((n) => n.type === 'narration_ready')).toMatchObject({
      title: 'Your narration is ready',
      body: 'You can listen to it now.',
      link: `${PUBLIC_WEB_URL}/narrations/${narrationId}`,
      readAt: '',
    });

    await waitUntil(async () => (await emlFiles(owner.email, 'Your narration is ready')).length === 1, 20_000);
    const [mail] = await emlFiles(owner.email, 'Your narration is ready');
    expect(mail!.text).toContain(`Your narration is ready. Listen to it: ${PUBLIC_WEB_URL}/narrations/${narrationId}`);
    expect(mail!.html).toContain(`<a href="${PUBLIC_WEB_URL}/narrations/${narrationId}">Listen to it</a>`);
    await waitUntil(async () => (await deliveriesOf(stack, owner.id)).filter((d) => d.type === 'narration_ready').every((d) => d.status === 'sent'), 20_000);

    // The same event again (past the inbox too), and another event for the same narration.
    await generated(narrationId, storyId, { id: eventId });
    await stack.ds.query(`DELETE FROM inbox_messages WHERE event_id = $1`, [eventId]);
    await generated(narrationId, storyId, { id: eventId });
    const duplicate = await generated(narrationId, storyId);
    await waitUntil(async () => ((await stack.ds.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [duplicate])) as unknown[]).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 300)); // a sender round or more
    expect((await inApp(owner)).filter((n) => n.type === 'narration_ready')).toHaveLength(1);
    expect((await deliveriesOf(stack, owner.id)).filter((d) => d.type === 'narration_ready').map((d) => d.channel)).toEqual(['email', 'in_app']);
    expect(await emlFiles(owner.email, 'Your narration is ready')).toHaveLength(1);
  });

  it('NarrationFailed → "Your narration could not be made" with the reason, in-app and by email', async () => {
    const narrationId = uuidv7();
    await kafka.publish(NarrationFailed.topic, NarrationFailed.type, narrationId, { narrationId, storyId: uuidv7(), ownerId: owner.id, reason: 'The voice provider did not answer.', sagaId: '' });
    await waitUntil(async () => (await inApp(owner)).some((n) => n.type === 'narration_failed'), 20_000);
    expect((await inApp(owner)).find((n) => n.type === 'narration_failed')).toMatchObject({
      title: 'Your narration could not be made',
      body: 'Reason: The voice provider did not answer.',
      link: `${PUBLIC_WEB_URL}/narrations/${narrationId}`,
    });
    await waitUntil(async () => (await emlFiles(owner.email, 'Your narration could not be made')).length === 1, 20_000);
    const [mail] = await emlFiles(owner.email, 'Your narration could not be made');
    expect(mail!.text).toContain('Your narration could not be made. Reason: The voice provider did not answer.');
  });
});
