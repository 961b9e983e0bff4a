import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { EmailMessage, EmailSender } from '../../application/ports/index.js';

/** The nodemailer message of a rendered email: both senders build it the same way. */
function mailOf(from: string, message: EmailMessage): SendMailOptions {
  return { from, to: message.to, subject: message.subject, text: message.text, html: message.html, messageId: message.messageId };
}

/** Email over SMTP (nodemailer): Mailpit locally, the provider's SMTP relay in production. */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    options: { timeoutMs?: number } = {},
  ) {
    const timeout = options.timeoutMs ?? 10_000;
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      // Local relays (Mailpit, tests) speak plain SMTP; STARTTLS is used whenever the server offers it.
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(message: EmailMessage): Promise<{ providerMessageId: string }> {
    const info = await this.transport.sendMail(mailOf(this.from, message));
    return { providerMessageId: String(info.messageId ?? message.messageId) };
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * Development sink: each message is written as a real MIME `.eml` file (built by nodemailer's
 * stream transport) under `dir`, named by the delivery's Message-ID, so a resend overwrites it.
 */
export class FileEmailSender implements EmailSender {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {}

  async send(message: EmailMessage): Promise<{ providerMessageId: string }> {
    const info = await this.transport.sendMail(mailOf(this.from, message));
    await mkdir(this.dir, { recursive: true });
    const name = message.messageId.replace(/[^A-Za-z0-9@._-]/g, '');
    await writeFile(join(this.dir, `${name}.eml`), info.message as Buffer);
    return { providerMessageId: message.messageId };
  }
}
