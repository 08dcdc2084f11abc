/**
 * The content type a file is recorded and served with, from its name's
 * extension among the kinds a class shares. What the browser claimed at
 * upload is not trusted, and nothing that a browser would run or render as a
 * page (HTML, SVG, XML, scripts) gets its own type: those are served as bytes,
 * always as an attachment (see files-router's download).
 */
import { extensionOf } from './file-names.ts';

export const BINARY = 'application/octet-stream';

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  rtf: 'application/rtf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  epub: 'application/epub+zip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  zip: 'application/zip',
  json: 'application/json',
};

export function contentTypeFor(name: string): string {
  return TYPES[extensionOf(name)] ?? BINARY;
}

/** What a download is sent as: the recorded type when it is one of ours, else bytes. */
export function servedContentType(recorded: string): string {
  return Object.values(TYPES).includes(recorded) ? recorded : BINARY;
}
