/**
 * Words for people, put into their language where they are shown rather than
 * where they are made. Services have no request and so no language: they name
 * the words (a key of `locales/<language>/<namespace>.json` and the values it
 * needs), and the page, the error handler or the room socket says them with
 * the person's `t`. A plain string is text already in the person's language.
 */
import type { TFunction } from 'i18next';

export interface Phrase {
  readonly key: string;
  readonly values?: Readonly<Record<string, unknown>>;
}

/** Text already in the person's language, or a phrase to be said in it. */
export type Text = string | Phrase;

export function phrase(key: string, values?: Record<string, unknown>): Phrase {
  return values ? { key, values } : { key };
}

export function isPhrase(value: unknown): value is Phrase {
  return typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string';
}

/** The text in the language of `t`; phrases among a phrase's values are said first. */
export function say(t: TFunction, text: Text): string {
  if (typeof text === 'string') return text;
  if (!text.values) return String(t(text.key));
  const values = Object.fromEntries(Object.entries(text.values).map(([name, value]) => [name, isPhrase(value) ? say(t, value) : value]));
  return String(t(text.key, values));
}

/**
 * A problem with one field, as a schema states it: schemas of the module's own routes give keys
 * of the translation files, zod's built-in messages are English and stay as they are.
 */
export function fieldProblem(problem: string, values?: Record<string, unknown>): Phrase {
  return phrase(problem, { ...values, defaultValue: problem });
}
