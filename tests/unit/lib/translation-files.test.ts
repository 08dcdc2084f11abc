/**
 * The translation files themselves: every namespace says the same things in
 * every language, nothing is left empty, every key the code and the views
 * name exists, and the module settings' English is the manifest's, word for word.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES, readLocales } from '../../../src/lib/i18n/i18n.ts';
import { loadModuleManifest } from '../../../src/module-settings/settings-schema.ts';
import { ROOM_PERMISSIONS, ROOM_ROLES } from '../../../src/rooms/room-permissions.ts';
import { CHANNEL_LEVELS } from '../../../src/channels/channel-levels.ts';
import { MEDIASPACE_ROLES } from '../../../src/identity/mediaspace-roles.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const locales = readLocales();

/** `{ a: { b: 'x' } }` → `{ 'a.b': 'x' }`. */
function flatten(tree: unknown, prefix = ''): Record<string, unknown> {
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return { [prefix]: tree };
  return Object.assign({}, ...Object.entries(tree).map(([key, value]) => flatten(value, prefix ? `${prefix}.${key}` : key)));
}

/** The names a text interpolates: `{{count, number}}` names count. */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([\w-]+)/g)].map((match) => match[1]!))].sort();
}

function filesUnder(folder: string, extension: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(extension))
    .map((file) => path.join(ROOT, folder, file));
}

describe('translation files', () => {
  const namespaces = [...new Set(LANGUAGES.flatMap((language) => Object.keys(locales[language])))].sort();

  it('exist for every namespace in every language', () => {
    for (const language of LANGUAGES) expect(Object.keys(locales[language]).sort(), language).to.deep.equal(namespaces);
  });

  for (const namespace of namespaces) {
    describe(namespace, () => {
      const english = flatten(locales.en[namespace]);

      for (const language of LANGUAGES.filter((other) => other !== 'en')) {
        it(`has the same keys in English and ${language}`, () => {
          const other = flatten(locales[language][namespace]);
          expect(Object.keys(other).filter((key) => !(key in english)), `in ${language} only`).to.deep.equal([]);
          expect(Object.keys(english).filter((key) => !(key in other)), `in English only`).to.deep.equal([]);
        });

        it(`fills in the same values in English and ${language}`, () => {
          const other = flatten(locales[language][namespace]);
          for (const [key, text] of Object.entries(english)) {
            if (typeof text === 'string' && typeof other[key] === 'string') expect(placeholders(other[key] as string), `${namespace}:${key}`).to.deep.equal(placeholders(text));
          }
        });
      }

      it('has a text for every key in every language', () => {
        for (const language of LANGUAGES) {
          for (const [key, text] of Object.entries(flatten(locales[language][namespace]))) {
            expect(text, `${language} ${namespace}:${key}`).to.be.a('string');
            expect((text as string).trim(), `${language} ${namespace}:${key}`).to.not.equal('');
          }
        }
      });
    });
  }

  it('has every key that the code and the views name', () => {
    const english = Object.fromEntries(namespaces.map((namespace) => [namespace, flatten(locales.en[namespace])]));
    const exists = (namespace: string, key: string) => {
      const keys = english[namespace];
      if (!keys) return false;
      // A plural (key_one, key_other) or a whole subtree (handed over with returnObjects) counts.
      return key in keys || `${key}_other` in keys || Object.keys(keys).some((known) => known.startsWith(`${key}.`));
    };
    const missing: string[] = [];
    for (const file of [...filesUnder('src', '.ts'), ...filesUnder('views', '.ejs')]) {
      const source = readFileSync(file, 'utf8');
      // Whole keys in quotes; keys completed at run time ('rooms:permissions.' + name) end in a dot and are left out.
      for (const [, namespace, key] of source.matchAll(/['"`]([a-z][a-z-]*):([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)['"`]/g)) {
        if (namespaces.includes(namespace!) && !exists(namespace!, key!)) missing.push(`${path.relative(ROOT, file)}: ${namespace}:${key}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('names every permission, channel level and role the code knows, for keys the views complete at run time', () => {
    const english = Object.fromEntries(namespaces.map((namespace) => [namespace, flatten(locales.en[namespace])]));
    const expected = [
      ...ROOM_PERMISSIONS.map((permission) => `rooms:permissions.${permission}`),
      ...ROOM_ROLES.flatMap((role) => [`rooms:client.roles.${role}`, `module-settings:roomRoles.${role}`]),
      ...CHANNEL_LEVELS.flatMap((level) => [`module-settings:levels.${level}`, `module-settings:levelsInText.${level}`, `demo-portal:levels.${level}`]),
      ...MEDIASPACE_ROLES.map((role) => `users:mediaspaceRoles.${role}`),
      ...['channel', 'private', 'course'].map((kind) => `rooms:room.kinds.${kind}`),
      ...['400', '401', '403', '404', '409', '413', '429', '500', '502', '504', 'signInThroughMediaSpace'].map((title) => `common:errorPage.${title}`),
    ];
    expect(expected.filter((name) => !(name.split(':')[1]! in english[name.split(':')[0]!]!))).to.deep.equal([]);
  });

  it('keeps the module settings’ English word for word as the manifest has it, for MediaSpace administrators read both', () => {
    const manifest = loadModuleManifest();
    const english = locales.en['module-settings'] as { manifest: { description: string; settings: Record<string, { label: string; description: string }> } };
    expect(english.manifest.description).to.equal(manifest.description);
    expect(english.manifest.settings).to.deep.equal(Object.fromEntries(manifest.settings.map(({ name, label, description }) => [name, { label, description }])));
  });
});
