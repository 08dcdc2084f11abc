/**
 * Return paths that look local but lead to another host once normalised, as
 * browsers normalise them (dot segments, percent-encoded dots, backslashes).
 */
export const OPEN_REDIRECTS = [
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/x/../..//evil.example',
  '/x/..//evil.example/path?q=1',
  '/.%2f/evil.example',
  '/./\\evil.example',
  '/%5cevil.example',
  '/.%5c/evil.example',
  '/%5C%5Cevil.example',
  '/%2f/evil.example',
  '/%09/evil.example',
] as const;
