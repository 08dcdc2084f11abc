/**
 * How kaltura-client sends a call that carries a file: multipart/form-data
 * with the call's JSON in the `json` field and each file in a part named after
 * its parameter ("fileData"; "1:fileData" for sub-request 1 of a
 * multirequest). The files become parameters like any other, so that upload
 * services can be emulated on top.
 */
import multer from 'multer';
import type { Request, RequestHandler } from 'express';
import { apiError } from './kaltura-errors.ts';
import type { Params } from './param-readers.ts';

/** A file parameter, as Kaltura's PHP sees one in $_FILES: its name, its size, and here its bytes. */
export interface UploadedFile {
  name: string;
  size: number;
  content: Buffer;
}

const FILE_LIMIT_BYTES = 50 * 1024 * 1024;
const FILES_PER_REQUEST = 20;

export function multipartBodies(): RequestHandler {
  return multer({ storage: multer.memoryStorage(), limits: { fileSize: FILE_LIMIT_BYTES, files: FILES_PER_REQUEST, fields: 5 } }).any();
}

export function isMultipart(req: Request): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
}

/** The call's parameters from a multipart body: the `json` field, with the file parts put where they belong. */
export function multipartParams(fields: Record<string, unknown>, files: ReadonlyArray<{ fieldname: string; originalname: string; size: number; buffer: Buffer }>): Params {
  const params = parseJsonField(fields.json);
  for (const file of files) {
    const uploaded: UploadedFile = { name: file.originalname, size: file.size, content: file.buffer };
    const numbered = /^(\d+):(.+)$/.exec(file.fieldname);
    const subRequest = numbered ? params[numbered[1]!] : undefined;
    if (numbered && isParams(subRequest)) subRequest[numbered[2]!] = uploaded;
    else params[file.fieldname] = uploaded;
  }
  return params;
}

function parseJsonField(value: unknown): Params {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (isParams(parsed)) return parsed;
  } catch {
    // answered below, as for a JSON body that does not parse
  }
  throw apiError('INTERNAL_SERVERL_ERROR', { ERROR: 'the json part of the request is not a JSON object' });
}

function isParams(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
