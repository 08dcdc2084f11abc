import { ValidationError } from '../errors/app-error.ts';
import { phrase } from '../i18n/phrase.ts';

const PROBE_ORIGIN = 'http://return-path.invalid';

/**
 * Accepts only a path of this service: no scheme, no host, no `//evil` or
 * `/\evil` that browsers would read as another host.
 */
export function safeReturnPath(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const looksLocal = value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') && value.length <= 2048;
  // Control characters and backslashes have no place in a path and are how open-redirect tricks start.
  if (!looksLocal || /[\u0000-\u001f\\]/.test(value)) throw invalidReturnPath();
  const url = new URL(value, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) throw invalidReturnPath();
  return `${url.pathname}${url.search}${url.hash}`;
}

function invalidReturnPath(): ValidationError {
  return new ValidationError(phrase('common:returnPath.invalid'), { returnTo: phrase('common:returnPath.field') });
}
