import { ValidationError } from '../errors/app-error.ts';
import { phrase } from '../i18n/phrase.ts';

const PROBE_ORIGIN = 'http://return-path.invalid';
// Control characters and backslashes have no place in a path and are how open-redirect tricks start, encoded or not.
const HOSTILE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;
// After normalisation, a second slash or a backslash right after the first names another host to a browser.
const HOST_AFTER_SLASH = /^\/[/\\]/;

/**
 * Accepts only a path of this service: no scheme, no host, and nothing that
 * becomes `//evil` or `/\evil` once normalised the way browsers do
 * (`/.//evil`, `/%2e%2e//evil`, `/x/../..//evil`). The path is normalised
 * first and the result is what is checked and returned.
 */
export function safeReturnPath(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (!value.startsWith('/') || value.length > 2048 || HOSTILE_CHARACTERS.test(value) || HOSTILE_CHARACTERS.test(decoded(value))) throw invalidReturnPath();
  const url = new URL(value, PROBE_ORIGIN);
  // As a browser reads it, and once more percent-decoded, as a proxy in front of the service might.
  if (leadsAway(url) || leadsAway(new URL(decoded(url.pathname), PROBE_ORIGIN))) throw invalidReturnPath();
  return `${url.pathname}${url.search}${url.hash}`;
}

function leadsAway(url: URL): boolean {
  return url.origin !== PROBE_ORIGIN || HOST_AFTER_SLASH.test(url.pathname);
}

/** Percent-decoded for checking; a malformed escape cannot be decoded by a browser either, so it is checked as it is. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function invalidReturnPath(): ValidationError {
  return new ValidationError(phrase('common:returnPath.invalid'), { returnTo: phrase('common:returnPath.field') });
}
