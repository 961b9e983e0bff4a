import Handlebars from 'handlebars';
import type { RenderedMessage, TemplateRenderer } from '../../application/ports/index.js';
import { NOTIFICATION_TYPES, type Language, type NotificationType, type TemplateData } from '../../domain/index.js';
import { TEMPLATES, type TemplateSource } from './catalogue.js';

type Compiled = { [K in keyof TemplateSource]: Handlebars.TemplateDelegate };

const HTML_LAYOUT = Handlebars.compile<{ lang: string; subject: string; content: string }>(
  '<!doctype html><html lang="{{lang}}"><head><meta charset="utf-8"><title>{{subject}}</title></head>' +
    '<body style="font-family:sans-serif;line-height:1.5">{{{content}}}</body></html>',
  { strict: false },
);

/**
 * Renders TEMPLATES with Handlebars (compiled once, at start). HTML parts escape every value;
 * text parts do not (they are not HTML). Missing variables render empty, never fail a send.
 * Links are PUBLIC_WEB_URL + the planner's path.
 */
export class HandlebarsTemplateRenderer implements TemplateRenderer {
  private readonly compiled = new Map<string, Compiled>();
  private readonly baseUrl: string;

  constructor(publicWebUrl: string) {
    this.baseUrl = publicWebUrl.replace(/\/+$/, '');
    const hb = Handlebars.create();
    for (const type of NOTIFICATION_TYPES) {
      for (const [language, source] of Object.entries(TEMPLATES[type])) {
        const text = (s: string) => hb.compile(s, { noEscape: true });
        this.compiled.set(`${type}:${language}`, {
          subject: text(source.subject),
          text: text(source.text),
          html: hb.compile(source.html),
          sms: text(source.sms),
          title: text(source.title),
          body: text(source.body),
        });
      }
    }
  }

  render(type: NotificationType, language: Language, data: TemplateData & { displayName: string; linkPath: string }): RenderedMessage {
    const templates = this.compiled.get(`${type}:${language}`) ?? this.compiled.get(`${type}:en`);
    if (!templates) throw new Error(`no template for ${type}`);
    const { linkPath, ...values } = data;
    const context = { ...values, link: `${this.baseUrl}${linkPath}` };
    const subject = templates.subject(context);
    const lang = this.compiled.has(`${type}:${language}`) ? language : 'en';
    return {
      subject,
      text: templates.text(context),
      html: HTML_LAYOUT({ lang, subject, content: templates.html(context) }),
      sms: templates.sms(context),
      title: templates.title(context),
      body: templates.body(context),
      link: context.link,
    };
  }
}
