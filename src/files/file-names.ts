/**
 * Names of files and folders: what a person may type, what an upload's name
 * becomes, how two names in one folder are told apart, and how a name is
 * written into a download's Content-Disposition header. Names are for display
 * only: storage uses a random key, never a name.
 */
export const NAME_MAX = 200;

/** Control, format (zero-width, bidi overrides…) and line/paragraph separator characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const SLASHES = /[/\\]/;

export type NameProblem = 'empty' | 'tooLong' | 'invisible' | 'slash' | 'dots';

/** A typed name, trimmed and in NFC, or what is wrong with it. Typed names are refused rather than silently changed. */
export function checkName(raw: unknown): { name: string } | { problem: NameProblem } {
  const name = (typeof raw === 'string' ? raw : '').normalize('NFC').trim();
  if (name === '') return { problem: 'empty' };
  if (INVISIBLE.test(name)) return { problem: 'invisible' };
  if (SLASHES.test(name)) return { problem: 'slash' };
  if (name === '.' || name === '..') return { problem: 'dots' };
  if (codePoints(name) > NAME_MAX) return { problem: 'tooLong' };
  return { name };
}

/**
 * The name an uploaded file gets: the browser's name without any path (old
 * browsers send C:\…\name), without invisible characters, trimmed, in NFC and
 * at most NAME_MAX characters with its extension kept. Uploads are cleaned, not
 * refused: the person did not type this name and cannot fix it in the form.
 */
export function cleanUploadedName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const name = base.normalize('NFC').replace(INVISIBLE_ALL, '').trim();
  if (name === '' || name === '.' || name === '..') return 'file';
  return fitName(name, '');
}

/** "report.pdf" → "report (2).pdf": how a second upload of one name is told apart; stays within NAME_MAX. */
export function withNumber(name: string, number: number): string {
  return fitName(name, ` (${number})`);
}

/** Names are told apart without regard to case, as the file systems people download them to do. */
export function siblingKey(parentId: string | null, name: string): string {
  return `${parentId ?? ''}/${name.normalize('NFC').toLowerCase()}`;
}

/** The extension in lower case, without the dot; '' when there is none ("README", ".env"). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * Content-Disposition for a download (RFC 6266 with RFC 5987's filename*): an
 * ASCII fallback for old clients, in quotes with nothing that could end the
 * quotes or the header, and the exact name in UTF-8, percent-encoded.
 */
export function contentDisposition(name: string): string {
  const clean = name.normalize('NFC').replace(INVISIBLE_ALL, '').replace(/[/\\]/g, '_').trim() || 'download';
  const ascii =
    clean
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\x20-\x7e]/g, '_')
      .replace(/["%;\\]/g, '_')
      .trim() || 'download';
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function codePoints(text: string): number {
  return [...text].length;
}

/** Adds `suffix` before the extension and shortens the stem so the whole stays within NAME_MAX. */
function fitName(name: string, suffix: string): string {
  const extension = extensionOf(name);
  // Extensions longer than this are part of the name, not a type ("notes.from the meeting").
  const keep = extension && extension.length <= 16 ? `.${name.slice(name.length - extension.length)}` : '';
  const stem = keep ? name.slice(0, name.length - keep.length) : name;
  const room = NAME_MAX - codePoints(suffix) - codePoints(keep);
  const stemPoints = [...stem];
  const shortStem = stemPoints.length > room ? stemPoints.slice(0, room).join('').trimEnd() : stem;
  return `${shortStem}${suffix}${keep}`;
}
