import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

interface AsyncApiModule {
  generateAsyncApi(options?: { root?: string }): string;
  buildAsyncApi(image: unknown): {
    channels: Record<string, { address: string; messages: Record<string, unknown> }>;
    components: { messages: Record<string, { 'x-cloudevents-type': string }>; schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  buildImage(root?: string): unknown;
}

describe('docs/asyncapi.yaml', () => {
  let gen: AsyncApiModule;

  beforeAll(async () => {
    gen = (await import(join(root, 'scripts/gen-asyncapi.mjs'))) as AsyncApiModule;
  });

  it('is current: regenerating it from proto/ gives the committed file (run `npm run gen` if not)', () => {
    const committed = readFileSync(join(root, 'docs/asyncapi.yaml'), 'utf8');
    expect(gen.generateAsyncApi({ root })).toBe(committed);
  });

  it('publishes every identity event on its topic with its CloudEvents type, and no secrets', () => {
    const doc = gen.buildAsyncApi(gen.buildImage(root));
    expect(Object.keys(doc.channels['identity.user.events']!.messages)).toEqual([
      'UserRegistered',
      'UserAuthenticated',
      'UserProfileUpdated',
      'RoleAssigned',
      'UserDeactivated',
    ]);
    expect(Object.keys(doc.channels['identity.role.events']!.messages)).toEqual(['PermissionGranted']);
    expect(doc.components.messages['identity.UserRegistered']!['x-cloudevents-type']).toBe('storytelling.identity.user.registered.v1');
    const registered = doc.components.schemas['storytelling.identity.v1.UserRegistered']!.properties!;
    expect(Object.keys(registered)).toEqual(
      expect.arrayContaining(['userId', 'email', 'displayName', 'firstName', 'lastName', 'language', 'registeredAt']),
    );
    const everyField = Object.values(doc.components.schemas).flatMap((s) => Object.keys(s.properties ?? {}));
    expect(everyField.filter((f) => /password|hash|secret|token/i.test(f))).toEqual([]);
  });
});
