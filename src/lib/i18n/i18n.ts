/**
 * Every backend page's text lives in translation files, one file per
 * capability and language (`locales/<language>/<namespace>.json`), loaded
 * once at start-up. A request gets a `t` bound to the person's language:
 * their profile's choice, else what their browser asks for, else the default.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import i18next, { type i18n, type TFunction } from 'i18next';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'Français' };

const LOCALES_DIR = path.join(import.meta.dirname, 'locales');

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export interface Translations {
  /** `t` for one language; keys are `namespace:key`. */
  forLanguage(language: Language): TFunction;
  namespaces: string[];
}

export async function loadTranslations(fallback: Language): Promise<Translations> {
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const language of LANGUAGES) {
    resources[language] = {};
    for (const file of readdirSync(path.join(LOCALES_DIR, language)).filter((name) => name.endsWith('.json'))) {
      const namespace = path.basename(file, '.json');
      namespaces.add(namespace);
      resources[language][namespace] = JSON.parse(readFileSync(path.join(LOCALES_DIR, language, file), 'utf8'));
    }
  }
  const instance: i18n = i18next.createInstance();
  await instance.init({
    resources: resources as never,
    lng: fallback,
    fallbackLng: 'en',
    ns: [...namespaces],
    defaultNS: 'common',
    // EJS escapes on output (<%= %>); escaping here too would show &amp; to people.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return { forLanguage: (language) => instance.getFixedT(language), namespaces: [...namespaces] };
}

/** The language a browser prefers among ours, from Accept-Language. */
export function preferredLanguage(req: Request, fallback: Language): Language {
  const accepted = req.acceptsLanguages(...LANGUAGES);
  return isLanguage(accepted) ? accepted : fallback;
}

/**
 * Puts `t`, `language` and the language list on res.locals for views and `req.t` for handlers.
 * `chosenLanguage` reads the signed-in person's profile choice.
 */
export function translate(translations: Translations, fallback: Language, chosenLanguage: (req: Request) => Promise<Language | null>): RequestHandler {
  return async (req, res, next) => {
    const language = (await chosenLanguage(req)) ?? preferredLanguage(req, fallback);
    const t = translations.forLanguage(language);
    req.t = t;
    res.locals.t = t;
    res.locals.language = language;
    next();
  };
}
