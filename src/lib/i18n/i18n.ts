/**
 * Every page's text lives in translation files, one file per capability and
 * language (`locales/<language>/<namespace>.json`), loaded once at start-up.
 * A person's language is their profile's choice, else what their browser asks
 * for, else the default.
 *
 * A request gets `req.t` and its pages `t`. The profile's choice is a database
 * read, so it is made only when words are needed: when a page or an error is
 * rendered, or when a handler asks with `await req.resolveLanguage()` (the
 * rooms backend's paths do so before their handlers run). Until then `req.t`
 * speaks the browser's language. A join that renders nothing reads no profile.
 *
 * Code without a request names its words as phrases (./phrase.ts); `inEnglish`
 * gives them the English that logs and code read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
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

/** The translation files as they are on disk: language → namespace → nested texts. */
export function readLocales(): Record<Language, Record<string, unknown>> {
  const resources = {} as Record<Language, Record<string, unknown>>;
  for (const language of LANGUAGES) {
    resources[language] = {};
    for (const file of readdirSync(path.join(LOCALES_DIR, language)).filter((name) => name.endsWith('.json'))) {
      resources[language][path.basename(file, '.json')] = JSON.parse(readFileSync(path.join(LOCALES_DIR, language, file), 'utf8'));
    }
  }
  return resources;
}

export async function loadTranslations(fallback: Language): Promise<Translations> {
  return createTranslations(fallback);
}

/** Resources are in memory, so i18next is ready when init returns (initAsync: false). */
function createTranslations(fallback: Language): Translations {
  const resources = readLocales();
  const namespaces = [...new Set(LANGUAGES.flatMap((language) => Object.keys(resources[language])))];
  const instance: i18n = i18next.createInstance();
  void instance.init({
    resources: resources as never,
    lng: fallback,
    fallbackLng: 'en',
    ns: namespaces,
    defaultNS: 'common',
    // EJS escapes on output (<%= %>); escaping here too would show &amp; to people.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  const fixed = new Map(LANGUAGES.map((language) => [language, rememberingPlainTexts(instance, language)]));
  return { forLanguage: (language) => fixed.get(language)!, namespaces };
}

/**
 * i18next resolves a key anew on every call, copying its whole configuration each time (about
 * 10 µs), and a page asks for the same plain texts on every render: each language remembers the
 * texts it has found. Calls with options (interpolation, plurals) go to i18next every time; a key
 * with no text is not remembered, so what is remembered is bounded by the translation files.
 */
function rememberingPlainTexts(instance: i18n, language: Language): TFunction {
  const lookUp = instance.getFixedT(language) as unknown as (...args: unknown[]) => string;
  const texts = new Map<string, string>();
  return ((key: unknown, ...rest: unknown[]) => {
    if (typeof key !== 'string' || rest.length > 0) return lookUp(key, ...rest);
    const known = texts.get(key);
    if (known !== undefined) return known;
    const text = lookUp(key);
    // Keys can be made from input (a flash name in a query): only those with a text are kept.
    if (instance.exists(key, { lng: language })) texts.set(key, text);
    return text;
  }) as unknown as TFunction;
}

let english: TFunction | undefined;

/**
 * English, for words made before anyone's language is known: an error's `message`, as logs
 * and code read it. People see the same words said in their own language.
 */
export function inEnglish(): TFunction {
  english ??= createTranslations('en').forLanguage('en');
  return english;
}

/**
 * The language a browser prefers among ours, from its Accept-Language header: the
 * highest-weighted tag whose primary language we have (`fr-CA` is French).
 */
export function browserLanguage(acceptLanguage: string | undefined, fallback: Language): Language {
  if (!acceptLanguage) return fallback;
  let best: { language: Language; weight: number } | null = null;
  for (const part of acceptLanguage.split(',').slice(0, 20)) {
    const [tag = '', ...parameters] = part.trim().split(';');
    const language = tag.trim().toLowerCase().split('-')[0];
    if (!isLanguage(language)) continue;
    // A weight that is not a number counts as 0, as Express's own negotiation has it.
    const q = parameters.map((parameter) => /^\s*q\s*=(.*)$/i.exec(parameter)?.[1]).find((value) => value !== undefined);
    const weight = q === undefined ? 1 : /^\s*[0-9.]+\s*$/.test(q) ? Number(q) : 0;
    if (!(weight > 0)) continue;
    if (!best || weight > best.weight) best = { language, weight };
  }
  return best?.language ?? fallback;
}

/**
 * Chooses each person's language. `chosenLanguage` reads a person's profile choice
 * (null: none); it should be cheap to ask again, as every page of a visit asks.
 */
export class LanguageChooser {
  readonly #translations: Translations;
  readonly #fallback: Language;
  readonly #chosenLanguage: (userId: string) => Promise<string | null>;

  constructor(translations: Translations, fallback: Language, chosenLanguage: (userId: string) => Promise<string | null>) {
    this.#translations = translations;
    this.#fallback = fallback;
    this.#chosenLanguage = chosenLanguage;
  }

  t(language: Language): TFunction {
    return this.#translations.forLanguage(language);
  }

  browser(acceptLanguage: string | undefined): Language {
    return browserLanguage(acceptLanguage, this.#fallback);
  }

  /** Someone's language: their profile's choice, else their browser's (`userId` null: nobody signed in). */
  async forPerson(userId: string | null, acceptLanguage: string | undefined): Promise<Language> {
    const chosen = userId ? await this.#chosenLanguage(userId) : null;
    return isLanguage(chosen) ? chosen : this.browser(acceptLanguage);
  }

  /**
   * Gives every request `req.t`, `req.resolveLanguage()` and its pages `t` and `language`. Mount it
   * before anything that may fail; it reads `req.auth` (set by the session middleware) only when the
   * language is resolved, and every page it renders waits for that.
   */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const acceptLanguage = req.get('accept-language');
      speak(req, res, this.browser(acceptLanguage), this);
      let resolved: Promise<Language> | undefined;
      req.resolveLanguage = () =>
        (resolved ??= this.forPerson(req.auth?.userId ?? null, acceptLanguage).then(
          (language) => {
            if (language !== res.locals.language) speak(req, res, language, this);
            return language;
          },
          (error: unknown) => {
            // The caller fails with it; the error page that follows speaks the browser's language.
            resolved = Promise.resolve(res.locals.language as Language);
            throw error;
          },
        ));
      const render = res.render;
      res.render = function (this: Response, ...args: unknown[]) {
        req
          .resolveLanguage()
          .then(() => (render as (...args: unknown[]) => void).apply(this, args))
          .catch((error: unknown) => req.next?.(error));
      } as Response['render'];
      next();
    };
  }
}

function speak(req: Request, res: Response, language: Language, chooser: LanguageChooser): void {
  const t = chooser.t(language);
  req.t = t;
  res.locals.t = t;
  res.locals.language = language;
}

/** For handlers that speak to people before any page is rendered: the language is settled before them. */
export const resolveLanguageFirst: RequestHandler = async (req, _res, next) => {
  await req.resolveLanguage();
  next();
};
