export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a resend after a crash can be collapsed by clients. */
  messageId: string;
}
export interface EmailSender {
  send(message: EmailMessage): Promise<{ providerMessageId: string }>;
}
export const EMAIL_SENDER = Symbol('notification.EmailSender');

export interface SmsMessage {
  to: string;
  body: string;
  /** The delivery id (file sink name; providers that support it dedupe on it). */
  reference: string;
}
export interface SmsSender {
  send(message: SmsMessage): Promise<{ providerMessageId: string }>;
}
export const SMS_SENDER = Symbol('notification.SmsSender');
