import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SmsMessage, SmsSender } from '../../application/ports/index.js';

export interface TwilioSettings {
  /** e.g. https://api.twilio.com (tests: a local fake). */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Sender number (E.164) or messaging service id. */
  from: string;
  timeoutMs?: number;
}

export class SmsProviderError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SmsProviderError';
  }
}

/**
 * Twilio's Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json, HTTP basic auth
 * (account sid : auth token), form-encoded To/From/Body; answers 201 with the message `sid`.
 * Any other answer throws (the sender retries with backoff).
 */
export class TwilioSmsSender implements SmsSender {
  constructor(private readonly settings: TwilioSettings) {}

  async send(message: SmsMessage): Promise<{ providerMessageId: string }> {
    const { baseUrl, accountSid, authToken, from } = this.settings;
    const url = `${baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ To: message.to, From: from, Body: message.body }).toString(),
      signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let json: { sid?: unknown; message?: unknown; code?: unknown } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // not JSON: reported below by status
    }
    if (response.status !== 201 && response.status !== 200) {
      const detail = typeof json.message === 'string' ? json.message : text.slice(0, 200);
      throw new SmsProviderError(`SMS provider answered ${response.status}: ${detail}`, response.status);
    }
    if (typeof json.sid !== 'string' || json.sid === '') throw new SmsProviderError('SMS provider answered without a message sid', response.status);
    return { providerMessageId: json.sid };
  }
}

/** Development sink: one JSON file per delivery under `dir` (a resend overwrites it). */
export class FileSmsSender implements SmsSender {
  constructor(private readonly dir: string) {}

  async send(message: SmsMessage): Promise<{ providerMessageId: string }> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${message.reference}.json`), `${JSON.stringify({ to: message.to, body: message.body }, null, 2)}\n`);
    return { providerMessageId: `file:${message.reference}` };
  }
}
