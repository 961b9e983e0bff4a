import type { Language, NotificationType, TemplateData } from '../../domain/index.js';

/** A message rendered for one recipient. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  sms: string;
  title: string;
  body: string;
  /** Absolute URL (PUBLIC_WEB_URL + path). */
  link: string;
}

export interface TemplateRenderer {
  render(type: NotificationType, language: Language, data: TemplateData & { displayName: string; linkPath: string }): RenderedMessage;
}
export const TEMPLATE_RENDERER = Symbol('notification.TemplateRenderer');
