import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEmailSender } from '../../src/infrastructure/channels/email.js';
import { FileSmsSender, SmsProviderError, TwilioSmsSender } from '../../src/infrastructure/channels/sms.js';
import { fakeTwilio, type FakeTwilio } from '../support/fake-twilio.js';

describe('SMS through a Twilio-style API (local fake server)', () => {
  let twilio: FakeTwilio;
  beforeAll(async () => (twilio = await fakeTwilio()));
  afterAll(() => twilio.close());

  const sender = (token = 'secret-token') => new TwilioSmsSender({ baseUrl: twilio.url, accountSid: 'AC123', authToken: token, from: '+15005550006' });

  it('posts a form with basic auth and returns the message sid', async () => {
    const { providerMessageId } = await sender().send({ to: '+34600111222', body: 'Hola ¿qué tal?', reference: 'd1' });
    expect(providerMessageId).toMatch(/^SM0+1$/);
    const [req] = twilio.received;
    expect(req!.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(req!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(req!.form)).toEqual({ To: '+34600111222', From: '+15005550006', Body: 'Hola ¿qué tal?' });
  });

  it('provider errors throw with the status and message', async () => {
    await expect(sender('wrong').send({ to: '+34600111222', body: 'x', reference: 'd2' })).rejects.toMatchObject({ name: 'SmsProviderError', status: 401 });
    await expect(sender().send({ to: '+1', body: 'x', reference: 'd3' })).rejects.toThrow(/400: The 'To' number/);
    twilio.setDown(true);
    await expect(sender().send({ to: '+34600111222', body: 'x', reference: 'd4' })).rejects.toBeInstanceOf(SmsProviderError);
    twilio.setDown(false);
  });
});

describe('file sinks', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'notification-sink-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('email: a MIME .eml per Message-ID with text and HTML parts', async () => {
    await new FileEmailSender(dir, 'Storytelling <no-reply@storytelling.local>').send({
      to: 'ann@example.com',
      subject: 'Hi Ann',
      text: 'plain body',
      html: '<p>html body</p>',
      messageId: '<abc@notification.storytelling>',
    });
    const files = await readdir(dir);
    expect(files).toEqual(['abc@notification.storytelling.eml']);
    const eml = await readFile(join(dir, files[0]!), 'utf8');
    expect(eml).toMatch(/^Message-ID: <abc@notification\.storytelling>$/m);
    expect(eml).toMatch(/^To: ann@example\.com$/m);
    expect(eml).toContain('Content-Type: text/plain');
    expect(eml).toContain('Content-Type: text/html');
  });

  it('sms: a JSON file per delivery', async () => {
    const { providerMessageId } = await new FileSmsSender(dir).send({ to: '+34600111222', body: 'hello', reference: 'delivery-1' });
    expect(providerMessageId).toBe('file:delivery-1');
    expect(JSON.parse(await readFile(join(dir, 'delivery-1.json'), 'utf8'))).toEqual({ to: '+34600111222', body: 'hello' });
  });
});
