/**
 * JSON to sit inside `<script type="application/json">` on a page: the
 * browser reads the element's text as it is (no entity decoding), so instead
 * of escaping HTML, every character that could end the element or start
 * markup is written as a JSON escape. JSON.parse gives back the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
