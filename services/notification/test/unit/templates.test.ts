import { HandlebarsTemplateRenderer } from '../../src/infrastructure/templates/handlebars-renderer.js';
import { NOTIFICATION_TYPES } from '../../src/domain/index.js';

const renderer = new HandlebarsTemplateRenderer('https://app.example.com/');

describe('templates', () => {
  it('welcome in English and Spanish with the public link', () => {
    const en = renderer.render('welcome', 'en', { displayName: 'Ann', linkPath: '/stories' });
    expect(en.subject).toBe('Welcome to Storytelling, Ann');
    expect(en.text).toContain('https://app.example.com/stories');
    expect(en.html).toContain('<a href="https://app.example.com/stories">');
    expect(en.html).toContain('<html lang="en">');
    const es = renderer.render('welcome', 'es', { displayName: 'Ana', linkPath: '/stories' });
    expect(es.subject).toBe('Te damos la bienvenida a Storytelling, Ana');
    expect(es.html).toContain('<html lang="es">');
  });

  it('escapes user content in HTML, not in the text part', () => {
    const m = renderer.render('story_published', 'en', { displayName: '<script>alert(1)</script>', authorName: 'Bob & "Co"', title: '<b>Hi</b>', storyId: 'x', linkPath: '/stories/x' });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.html).toContain('Bob &amp; &quot;Co&quot;');
    expect(m.html).toContain('&lt;b&gt;Hi&lt;/b&gt;');
    expect(m.text).toContain('<script>alert(1)</script>');
    expect(m.subject).toBe('Bob & "Co" published "<b>Hi</b>"');
  });

  it('a failed narration shows its reason, escaped in HTML; without one, the generic reason', () => {
    const m = renderer.render('narration_failed', 'en', { displayName: 'Ann', narrationId: 'n', storyId: 's', reason: 'Voice <unavailable> & retried', linkPath: '/narrations/n' });
    expect(m.title).toBe('Your narration could not be made');
    expect(m.body).toBe('Reason: Voice <unavailable> & retried');
    expect(m.html).toContain('Reason: Voice &lt;unavailable&gt; &amp; retried');
    expect(m.html).toContain('<a href="https://app.example.com/narrations/n">See the narration</a>');
    expect(renderer.render('narration_failed', 'es', { displayName: 'Ana', reason: '', linkPath: '/narrations/n' }).body).toBe('No hemos podido sintetizar una parte.');
  });

  it('every type renders in both languages with no leftover placeholders', () => {
    for (const type of NOTIFICATION_TYPES) {
      for (const lang of ['en', 'es'] as const) {
        const m = renderer.render(type, lang, { displayName: 'Ann', linkPath: '/x', title: 'T', authorName: 'A', amount: '9.99', currency: 'EUR', message: 'm', tier: 'pro', periodEnd: '2026-02-01', resource: 'stories', used: 5, limit: 5, storyId: 's', narrationId: 'n', reason: 'r' });
        for (const part of [m.subject, m.text, m.html, m.sms, m.title, m.body]) expect(part).not.toMatch(/\{\{|\}\}/);
        expect(m.link).toBe('https://app.example.com/x');
      }
    }
  });
});
