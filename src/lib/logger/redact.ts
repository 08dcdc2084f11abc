/**
 * Logs keep no credentials. Every secret that travels in an address is named
 * here once: a KS (`/launch?ks=`, `/embed/menu?ks=`, the emulator's API), a
 * launch token (`/rooms/:id/launch?token=`), the CSRF token an upload form
 * carries (`?_csrf=`), and the tokens of invitation and password-reset links
 * (`/invitations/:token`, `/password-reset/:token`) and of private rooms' invitation links (`/room-invitations/:code`). `withoutSecrets` blanks
 * them in an address, a header or a whole log line, percent-encoded or not
 * (an address inside `returnTo=` is encoded), and in JSON fields of the same
 * names (the request's parsed query, the X-CSRF-Token header).
 */

const REDACTED = '[redacted]';
const SECRET_PARAMS = 'ks|token|_csrf';
const SECRET_FIELDS = `${SECRET_PARAMS}|x-csrf-token|password|confirmPassword`;
const SECRET_SEGMENTS = 'room-invitations|invitations|password-reset';

const PATTERNS: readonly [RegExp, string][] = [
  // ?ks=… or &token=…, or %3Fks%3D… inside an encoded address; the value runs to the next parameter.
  [new RegExp(`((?:[?&;]|%3F|%26)(?:${SECRET_PARAMS})(?:=|%3D))(?:(?!%26)[^&#\\s"'\\\\<>])+`, 'gi'), `$1${REDACTED}`],
  // /invitations/… and /password-reset/… followed by a token (not the request form at /password-reset itself).
  [new RegExp(`((?:/|%2F)(?:${SECRET_SEGMENTS})(?:/|%2F))(?:(?!%2F|%3F)[^/?#&\\s"'\\\\<>])+`, 'gi'), `$1${REDACTED}`],
  // "ks":"…" and the like, in a log line already written as JSON.
  [new RegExp(`("(?:${SECRET_FIELDS})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1${REDACTED}"`],
];

export function withoutSecrets(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

type Headers = Record<string, unknown>;

/** Headers that are credentials whole, and headers that carry an address. */
const SECRET_HEADERS = ['cookie', 'authorization', 'x-csrf-token', 'set-cookie'];
const ADDRESS_HEADERS = ['referer', 'location'];

function headersForLog(headers: Headers | undefined): Headers | undefined {
  if (!headers) return headers;
  const safe: Headers = { ...headers };
  for (const name of SECRET_HEADERS) if (name in safe) safe[name] = REDACTED;
  for (const name of ADDRESS_HEADERS) if (typeof safe[name] === 'string') safe[name] = withoutSecrets(safe[name]);
  return safe;
}

/**
 * A request as pino-http describes it, fit for a log: the address without its secrets, and no
 * parsed query or route parameters, which would repeat them.
 */
export function requestForLog({ query: _query, params: _params, ...req }: { url?: string; headers?: Headers; query?: unknown; params?: unknown }) {
  return { ...req, url: req.url && withoutSecrets(req.url), headers: headersForLog(req.headers) };
}

/** A response as pino-http describes it: a redirect's Location may carry a KS or a launch token. */
export function responseForLog(res: { headers?: Headers }) {
  return { ...res, headers: headersForLog(res.headers) };
}
