import type { Language, NotificationType } from '../../domain/index.js';

/**
 * Handlebars sources per notification type and language. `html` is compiled with HTML escaping
 * (every `{{value}}` from a user or event is escaped); the other parts are plain text. Variables:
 * `displayName`, `link` (absolute URL) and the source event's values (see NotificationPlanner).
 */
export interface TemplateSource {
  subject: string;
  text: string;
  html: string;
  sms: string;
  title: string;
  body: string;
}

type Catalogue = Record<NotificationType, Partial<Record<Language, TemplateSource>> & { en: TemplateSource }>;

export const TEMPLATES: Catalogue = {
  welcome: {
    en: {
      subject: 'Welcome to Storytelling, {{displayName}}',
      text: 'Hi {{displayName}},\n\nWelcome to Storytelling! Start writing your first story: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>Welcome to Storytelling! <a href="{{link}}">Start writing your first story</a>.</p>',
      sms: 'Welcome to Storytelling, {{displayName}}! {{link}}',
      title: 'Welcome, {{displayName}}',
      body: 'Start writing your first story.',
    },
    es: {
      subject: 'Te damos la bienvenida a Storytelling, {{displayName}}',
      text: 'Hola {{displayName}}:\n\n¡Te damos la bienvenida a Storytelling! Empieza a escribir tu primera historia: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>¡Te damos la bienvenida a Storytelling! <a href="{{link}}">Empieza a escribir tu primera historia</a>.</p>',
      sms: '¡Bienvenida/o a Storytelling, {{displayName}}! {{link}}',
      title: 'Hola, {{displayName}}',
      body: 'Empieza a escribir tu primera historia.',
    },
  },
  story_published: {
    en: {
      subject: '{{authorName}} published "{{title}}"',
      text: 'Hi {{displayName}},\n\n{{authorName}} just published "{{title}}". Read it: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>{{authorName}} just published <strong>{{title}}</strong>. <a href="{{link}}">Read it</a>.</p>',
      sms: '{{authorName}} published "{{title}}": {{link}}',
      title: 'New story by {{authorName}}',
      body: '"{{title}}"',
    },
    es: {
      subject: '{{authorName}} ha publicado «{{title}}»',
      text: 'Hola {{displayName}}:\n\n{{authorName}} acaba de publicar «{{title}}». Léela: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>{{authorName}} acaba de publicar <strong>{{title}}</strong>. <a href="{{link}}">Léela</a>.</p>',
      sms: '{{authorName}} ha publicado «{{title}}»: {{link}}',
      title: 'Nueva historia de {{authorName}}',
      body: '«{{title}}»',
    },
  },
  payment_failed: {
    en: {
      subject: 'Your payment could not be processed',
      text: 'Hi {{displayName}},\n\nWe could not charge {{amount}} {{currency}}: {{message}}\nPlease update your payment method: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>We could not charge {{amount}} {{currency}}: {{message}}</p><p><a href="{{link}}">Update your payment method</a>.</p>',
      sms: 'Storytelling: your payment of {{amount}} {{currency}} failed. Update your payment method: {{link}}',
      title: 'Payment failed',
      body: 'We could not charge {{amount}} {{currency}}. Please update your payment method.',
    },
    es: {
      subject: 'No hemos podido procesar tu pago',
      text: 'Hola {{displayName}}:\n\nNo hemos podido cobrar {{amount}} {{currency}}: {{message}}\nActualiza tu método de pago: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>No hemos podido cobrar {{amount}} {{currency}}: {{message}}</p><p><a href="{{link}}">Actualiza tu método de pago</a>.</p>',
      sms: 'Storytelling: tu pago de {{amount}} {{currency}} ha fallado. Actualiza tu método de pago: {{link}}',
      title: 'Pago fallido',
      body: 'No hemos podido cobrar {{amount}} {{currency}}. Actualiza tu método de pago.',
    },
  },
  subscription_activated: {
    en: {
      subject: 'Your {{tier}} subscription is active',
      text: 'Hi {{displayName}},\n\nYour {{tier}} subscription is active until {{periodEnd}}. Details: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>Your <strong>{{tier}}</strong> subscription is active until {{periodEnd}}. <a href="{{link}}">Details</a>.</p>',
      sms: 'Storytelling: your {{tier}} subscription is active. {{link}}',
      title: 'Your {{tier}} subscription is active',
      body: 'Active until {{periodEnd}}.',
    },
    es: {
      subject: 'Tu suscripción {{tier}} está activa',
      text: 'Hola {{displayName}}:\n\nTu suscripción {{tier}} está activa hasta el {{periodEnd}}. Detalles: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>Tu suscripción <strong>{{tier}}</strong> está activa hasta el {{periodEnd}}. <a href="{{link}}">Detalles</a>.</p>',
      sms: 'Storytelling: tu suscripción {{tier}} está activa. {{link}}',
      title: 'Suscripción {{tier}} activa',
      body: 'Activa hasta el {{periodEnd}}.',
    },
  },
  quota_exceeded: {
    en: {
      subject: 'You have reached your {{resource}} limit',
      text: 'Hi {{displayName}},\n\nYou have used {{used}} of {{limit}} {{resource}} this period on the {{tier}} plan. Upgrade for more: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>You have used {{used}} of {{limit}} {{resource}} this period on the {{tier}} plan. <a href="{{link}}">Upgrade for more</a>.</p>',
      sms: 'Storytelling: you reached your {{resource}} limit ({{limit}}). {{link}}',
      title: '{{resource}} limit reached',
      body: '{{used}} of {{limit}} used this period.',
    },
    es: {
      subject: 'Has alcanzado tu límite de {{resource}}',
      text: 'Hola {{displayName}}:\n\nHas usado {{used}} de {{limit}} {{resource}} en este periodo con el plan {{tier}}. Mejora tu plan: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>Has usado {{used}} de {{limit}} {{resource}} en este periodo con el plan {{tier}}. <a href="{{link}}">Mejora tu plan</a>.</p>',
      sms: 'Storytelling: has alcanzado tu límite de {{resource}} ({{limit}}). {{link}}',
      title: 'Límite de {{resource}} alcanzado',
      body: '{{used}} de {{limit}} usados en este periodo.',
    },
  },
  narration_ready: {
    en: {
      subject: 'Your narration is ready',
      text: 'Hi {{displayName}},\n\nYour narration is ready. Listen to it: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>Your narration is ready. <a href="{{link}}">Listen to it</a>.</p>',
      sms: 'Storytelling: your narration is ready. {{link}}',
      title: 'Your narration is ready',
      body: 'You can listen to it now.',
    },
    es: {
      subject: 'Tu narración está lista',
      text: 'Hola {{displayName}}:\n\nTu narración está lista. Escúchala: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>Tu narración está lista. <a href="{{link}}">Escúchala</a>.</p>',
      sms: 'Storytelling: tu narración está lista. {{link}}',
      title: 'Tu narración está lista',
      body: 'Ya puedes escucharla.',
    },
  },
  narration_failed: {
    en: {
      subject: 'Your narration could not be made',
      text: 'Hi {{displayName}},\n\nYour narration could not be made. {{#if reason}}Reason: {{reason}}{{else}}Part of it could not be synthesised.{{/if}}\nSee the narration: {{link}}\n',
      html: '<p>Hi {{displayName}},</p><p>Your narration could not be made. {{#if reason}}Reason: {{reason}}{{else}}Part of it could not be synthesised.{{/if}}</p><p><a href="{{link}}">See the narration</a>.</p>',
      sms: 'Storytelling: your narration could not be made. {{link}}',
      title: 'Your narration could not be made',
      body: '{{#if reason}}Reason: {{reason}}{{else}}Part of it could not be synthesised.{{/if}}',
    },
    es: {
      subject: 'No hemos podido crear tu narración',
      text: 'Hola {{displayName}}:\n\nNo hemos podido crear tu narración. {{#if reason}}Motivo: {{reason}}{{else}}No hemos podido sintetizar una parte.{{/if}}\nVer la narración: {{link}}\n',
      html: '<p>Hola {{displayName}}:</p><p>No hemos podido crear tu narración. {{#if reason}}Motivo: {{reason}}{{else}}No hemos podido sintetizar una parte.{{/if}}</p><p><a href="{{link}}">Ver la narración</a>.</p>',
      sms: 'Storytelling: no hemos podido crear tu narración. {{link}}',
      title: 'No hemos podido crear tu narración',
      body: '{{#if reason}}Motivo: {{reason}}{{else}}No hemos podido sintetizar una parte.{{/if}}',
    },
  },
};
